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

    private MessagePersister CreatePersister(int persistIntervalMs = 200) => new(
        _log,
        _store,
        Microsoft.Extensions.Options.Options.Create(new ConsumerOptions { PersistBatchSize = 10, PersistIntervalMs = persistIntervalMs }),
        _metrics,
        TimeProvider.System,
        NullLogger<MessagePersister>.Instance);

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
