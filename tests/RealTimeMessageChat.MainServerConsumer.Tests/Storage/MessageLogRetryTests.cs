using Polly;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Storage;

public sealed class MessageLogRetryTests
{
    [Fact]
    public async Task Retry_ConnectionRestoredDuringWait_RetriesAtOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var restored = new CancellationTokenSource();
        var log = new FakeMessageLog { ConnectionRestored = restored.Token };
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ResiliencePipeline pipeline = MessageLogRetry.Create(log, MessageLogRetry.IsTransient, _ => { waiting.TrySetResult(); return ValueTask.CompletedTask; }, new StoppedClock());
        int calls = 0;

        ValueTask<int> run = pipeline.ExecuteAsync(
            _ => ++calls == 1 ? throw new MessageLogException("down", isTransient: true) : ValueTask.FromResult(calls),
            cts.Token);
        await waiting.Task.WaitAsync(cts.Token);
        await Task.Delay(50, cts.Token);
        await restored.CancelAsync();

        Assert.Equal(2, await run.AsTask().WaitAsync(cts.Token));
    }

    [Fact]
    public async Task Retry_NotTransient_ThrowsWithoutRetrying()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        ResiliencePipeline pipeline = MessageLogRetry.Create(new FakeMessageLog(), MessageLogRetry.IsTransient, _ => ValueTask.CompletedTask);
        int calls = 0;

        await Assert.ThrowsAsync<MessageLogException>(async () => await pipeline.ExecuteAsync(
            _ => { calls++; throw new MessageLogException("ERR script", isTransient: false); },
            cts.Token));

        Assert.Equal(1, calls);
    }

    /// <summary>A clock whose timers fire only when told to: a retry can then only move on through a restored connection.</summary>
    private sealed class StoppedClock : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Timer(callback, state);

        private sealed class Timer(TimerCallback callback, object? state) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                if (dueTime == TimeSpan.Zero)
                {
                    callback(state);
                }

                return true;
            }

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
