using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.MainServerConsumer.Observability;
using RealTimeMessageChat.MainServerConsumer.Options;
using RealTimeMessageChat.MainServerConsumer.Persistence;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Persistence;

public sealed class MessagePersisterTests : IDisposable
{
    private readonly FakeMessageLog _log = new();
    private readonly FakeMessageStore _store = new();
    private readonly TestMeterFactory _meters = new();
    private readonly ConsumerMetrics _metrics;

    public MessagePersisterTests() => _metrics = new ConsumerMetrics(_meters);

    public void Dispose() => _meters.Dispose();

    private MessagePersister CreatePersister(int persistIntervalMs = 200, ILogger<MessagePersister>? logger = null) => new(
        _log,
        _store,
        Microsoft.Extensions.Options.Options.Create(new ConsumerOptions { PersistBatchSize = 10, PersistIntervalMs = persistIntervalMs }),
        _metrics,
        TimeProvider.System,
        logger ?? NullLogger<MessagePersister>.Instance);

    /// <summary>Counts log entries by event id.</summary>
    private sealed class RecordingLogger : ILogger<MessagePersister>
    {
        private readonly List<int> _events = [];

        public int Count(int eventId)
        {
            lock (_events)
            {
                return _events.Count(e => e == eventId);
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_events)
            {
                _events.Add(eventId.Id);
            }
        }
    }

    private async Task AppendAsync(string room, int count, CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            await _log.AppendAsync(Messages.Chat(room, $"{room}-{i + 1}"), cancellationToken);
        }
    }

    [Fact]
    public async Task PersistAllAsync_SeveralRoomsAndBatches_StoresEveryMessageInOrder()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await AppendAsync(string.Empty, 25, cts.Token);
        await AppendAsync("room-2", 3, cts.Token);
        MessagePersister persister = CreatePersister();

        int read = await persister.PersistAllAsync(10, cts.Token);

        Assert.Equal(28, read);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), _store.Rows(string.Empty).Select(m => m.Seq));
        Assert.Equal(["room-2-1", "room-2-2", "room-2-3"], _store.Rows("room-2").Select(m => m.Content));
        Assert.Equal(3 + 1, _store.SaveCalls);
    }

    [Fact]
    public async Task PersistAllAsync_StoreAlreadyHasPrefix_StartsAfterIt()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await AppendAsync(string.Empty, 8, cts.Token);
        await _store.SaveBatchAsync(_log.Messages(string.Empty).Take(5).ToList(), cts.Token);
        MessagePersister persister = CreatePersister();

        int read = await persister.PersistAllAsync(10, cts.Token);

        Assert.Equal(3, read);
        Assert.Equal(8, _store.Rows(string.Empty).Count);
    }

    [Fact]
    public async Task PersistAllAsync_SaveFails_KeepsCursorAndStoresEverythingOnRetry()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await AppendAsync(string.Empty, 15, cts.Token);
        MessagePersister persister = CreatePersister();
        _store.FailNextSaves = 1;

        await Assert.ThrowsAsync<TimeoutException>(() => persister.PersistAllAsync(10, cts.Token));
        int read = await persister.PersistAllAsync(10, cts.Token);

        Assert.Equal(15, read);
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (long)i), _store.Rows(string.Empty).Select(m => m.Seq));
    }

    [Fact]
    public async Task PersistAllAsync_CalledAgain_OnlyCopiesNewMessages()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await AppendAsync(string.Empty, 4, cts.Token);
        MessagePersister persister = CreatePersister();
        await persister.PersistAllAsync(10, cts.Token);
        await AppendAsync(string.Empty, 2, cts.Token);

        int read = await persister.PersistAllAsync(10, cts.Token);

        Assert.Equal(2, read);
        Assert.Equal(6, _store.Rows(string.Empty).Count);
    }

    [Fact]
    public async Task PersistAllAsync_OldestTrimmedBeforePersisting_PersistsWhatIsLeft()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await AppendAsync(string.Empty, 10, cts.Token);
        _log.Trim(string.Empty, keep: 4);
        MessagePersister persister = CreatePersister();

        int read = await persister.PersistAllAsync(10, cts.Token);

        Assert.Equal(4, read);
        Assert.Equal([7L, 8L, 9L, 10L], _store.Rows(string.Empty).Select(m => m.Seq));
    }

    [Fact]
    public async Task PersistAllAsync_BatchStored_TrimsRedisBehindIt()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _log.RetainedLength = 3;
        await AppendAsync(string.Empty, 25, cts.Token);
        MessagePersister persister = CreatePersister();

        await persister.PersistAllAsync(10, cts.Token);

        Assert.Equal([(string.Empty, 10L), (string.Empty, 20L), (string.Empty, 25L)], _log.TrimCalls);
        Assert.Equal([23L, 24L, 25L], _log.Messages(string.Empty).Select(m => m.Seq));
        Assert.Equal(25, _log.Floors[string.Empty]);
    }

    [Fact]
    public async Task PersistAllAsync_SaveFails_TrimsNothingBeyondWhatWasStored()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _log.RetainedLength = 1;
        await AppendAsync(string.Empty, 15, cts.Token);
        MessagePersister persister = CreatePersister();
        await persister.PersistAllAsync(10, cts.Token);
        await AppendAsync(string.Empty, 30, cts.Token);
        _store.FailNextSaves = 1;

        await Assert.ThrowsAsync<TimeoutException>(() => persister.PersistAllAsync(10, cts.Token));

        Assert.All(_log.TrimCalls, call => Assert.True(call.PersistedSeq <= 15));
        Assert.Equal(15, _log.Messages(string.Empty)[0].Seq);
        Assert.Equal(31, _log.Messages(string.Empty).Count);
    }

    [Fact]
    public async Task UpdateLagAsync_PastTheBoundThenCaughtUp_SetsTheGaugeAndLogsOnceEach()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var logger = new RecordingLogger();
        MessagePersister persister = CreatePersister(logger: logger);
        await AppendAsync(string.Empty, 5, cts.Token);
        await persister.PersistAllAsync(10, cts.Token);
        await AppendAsync(string.Empty, 30, cts.Token);
        _store.FailNextSaves = 2;
        await Assert.ThrowsAsync<TimeoutException>(() => persister.PersistAllAsync(10, cts.Token));

        await persister.UpdateLagAsync(warnAt: 20, cts.Token);
        long? during = _metrics.PersistLag(string.Empty);
        await Assert.ThrowsAsync<TimeoutException>(() => persister.PersistAllAsync(10, cts.Token));
        await persister.UpdateLagAsync(warnAt: 20, cts.Token);
        await persister.PersistAllAsync(10, cts.Token);
        await persister.UpdateLagAsync(warnAt: 20, cts.Token);

        Assert.Equal(30, during);
        Assert.Equal(0, _metrics.PersistLag(string.Empty));
        Assert.Equal(1, logger.Count(3305));
        Assert.Equal(1, logger.Count(3306));
    }

    [Fact]
    public async Task ExecuteAsync_Running_PersistsNewMessagesWhilePolling()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using MessagePersister persister = CreatePersister(persistIntervalMs: 20);
        await persister.StartAsync(cts.Token);

        await AppendAsync("live", 3, cts.Token);
        await _store.WaitForRowsAsync("live", 3, cts.Token);

        await persister.StopAsync(cts.Token);
        Assert.Equal(["live-1", "live-2", "live-3"], _store.Rows("live").Select(m => m.Content));
    }
}
