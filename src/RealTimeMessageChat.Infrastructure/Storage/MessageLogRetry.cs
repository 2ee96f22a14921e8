using Polly;
using Polly.Retry;

namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>
/// The one retry rule for calls to the <see cref="IMessageLog"/> that must not give up (the
/// consumer's appends, the MainServer feed, client catch-ups): retry the same call in place, for as
/// long as the caller's token allows, 100 ms doubling to a cap of 1 s, with jitter so that many
/// followers do not retry in step. Nothing is reordered: the next attempt starts only when the
/// previous one has failed.
/// </summary>
/// <remarks>
/// Recovery (issue 9, defect 4: with a 5 s cap delivery lagged up to 5 s behind Redis answering
/// again): the cap bounds the wait, and a wait in progress ends as soon as the log reports its
/// connection restored (<see cref="IMessageLog.ConnectionRestored"/>), so the next attempt follows
/// the reconnect rather than the next backoff step.
/// </remarks>
public static class MessageLogRetry
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A pipeline that retries every exception <paramref name="shouldRetry"/> accepts (never an
    /// <see cref="OperationCanceledException"/>), calling <paramref name="onRetry"/> before each wait.
    /// </summary>
    public static ResiliencePipeline Create(
        IMessageLog log,
        Func<Exception, bool> shouldRetry,
        Func<OnRetryArguments<object>, ValueTask> onRetry,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(shouldRetry);
        ArgumentNullException.ThrowIfNull(onRetry);
        return new ResiliencePipelineBuilder { TimeProvider = new WakeOnRestore(log, timeProvider ?? TimeProvider.System) }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException && shouldRetry(ex)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = FirstDelay,
                MaxDelay = MaxDelay,
                OnRetry = onRetry,
            })
            .Build();
    }

    /// <summary>The message log's own verdict for its exceptions; anything else (a bug, a parse error) is retried too, as losing a message is worse than waiting.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        OperationCanceledException => false,
        MessageLogException logError => logError.IsTransient,
        _ => true,
    };

    /// <summary>
    /// The pipeline's clock. Polly waits between attempts with <c>Task.Delay(delay, timeProvider)</c>,
    /// a one-shot timer from <see cref="CreateTimer"/>; such a timer here also fires when the log's
    /// connection is restored, which ends the wait (the next attempt starts then). Everything else
    /// is the inner provider's.
    /// </summary>
    private sealed class WakeOnRestore(IMessageLog log, TimeProvider inner) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            ITimer timer = inner.CreateTimer(callback, state, dueTime, period);
            if (period != Timeout.InfiniteTimeSpan)
            {
                return timer;
            }

            CancellationTokenRegistration restored = log.ConnectionRestored.UnsafeRegister(
                static t => ((ITimer)t!).Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan),
                timer);
            return new WakeableTimer(timer, restored);
        }

        private sealed class WakeableTimer(ITimer timer, CancellationTokenRegistration restored) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(dueTime, period);

            public void Dispose()
            {
                restored.Dispose();
                timer.Dispose();
            }

            public async ValueTask DisposeAsync()
            {
                await restored.DisposeAsync().ConfigureAwait(false);
                await timer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
