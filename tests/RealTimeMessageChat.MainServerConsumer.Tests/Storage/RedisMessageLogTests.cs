using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Storage;

/// <summary>Against a real Redis; each test uses its own room so tests and other users of the server do not meet.</summary>
[Collection(RealServicesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RedisMessageLogTests(TestServicesFixture services) : IAsyncLifetime
{
    private readonly string _room = "test-" + Guid.NewGuid().ToString("N");
    private RedisConnectionProvider? _provider;
    private RedisMessageLog? _log;

    private RedisMessageLog Log => _log!;

    public ValueTask InitializeAsync()
    {
        RedisOptions options = RealServiceOptions.Redis(services.Require());
        _provider = RealServiceOptions.CreateRedisProvider(options);
        _log = new RedisMessageLog(_provider, NullLogger<RedisMessageLog>.Instance);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
        {
            var database = await _provider.GetMessageDatabaseAsync();
            await database.KeyDeleteAsync([RedisKeys.Stream(_room), RedisKeys.Sequence(_room)]);
            await database.SetRemoveAsync(RedisKeys.Rooms, _room);
            await _provider.DisposeAsync();
        }
    }

    [Fact]
    public async Task AppendAsync_NewMessages_ReturnsConsecutiveSeqs()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);

        var results = new List<AppendResult>();
        for (int i = 0; i < 3; i++)
        {
            results.Add(await Log.AppendAsync(Messages.Chat(_room, $"m{i}"), cts.Token));
        }

        Assert.Equal([new AppendResult(1, false), new AppendResult(2, false), new AppendResult(3, false)], results);
        Assert.Equal(3, await Log.GetLastSeqAsync(_room, cts.Token));
    }

    [Fact]
    public async Task AppendAsync_SameSenderAndMessageId_ReturnsFirstSeqAsDuplicateAndAppendsNothing()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var messageId = Guid.NewGuid();
        await Log.AppendAsync(Messages.Chat(_room, "before"), cts.Token);

        AppendResult first = await Log.AppendAsync(Messages.Chat(_room, "once", messageId: messageId), cts.Token);
        AppendResult again = await Log.AppendAsync(Messages.Chat(_room, "once, retried", messageId: messageId), cts.Token);
        AppendResult otherSender = await Log.AppendAsync(Messages.Chat(_room, "same id, other sender", sender: "bob", messageId: messageId), cts.Token);

        Assert.Equal(new AppendResult(2, false), first);
        Assert.Equal(new AppendResult(2, true), again);
        Assert.Equal(new AppendResult(3, false), otherSender);
        IReadOnlyList<ChatMessage> stored = await Log.ReadAfterAsync(_room, 0, 100, cts.Token);
        Assert.Equal(["before", "once", "same id, other sender"], stored.Select(m => m.Content));
    }

    [Fact]
    public async Task ReadAfterAsync_AppendedMessage_RoundTripsEveryField()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var original = new ChatMessage
        {
            MessageId = Guid.NewGuid(),
            Seq = 999,
            SenderId = "user_1-x",
            SubId = _room,
            Command = "send_broadcast_message",
            Content = "héllo \"wörld\" 🌍\nline two",
            Priority = 3,
            MetadataJson = """{"client":"cli","n":[1,2]}""",
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_763_780_123_456),
        };
        await Log.AppendAsync(Messages.Chat(_room, "first"), cts.Token);

        AppendResult result = await Log.AppendAsync(original, cts.Token);
        IReadOnlyList<ChatMessage> read = await Log.ReadAfterAsync(_room, 1, 10, cts.Token);

        Assert.Equal(2, result.Seq);
        ChatMessage only = Assert.Single(read);
        Assert.Equal(original with { Seq = 2 }, only);
    }

    [Fact]
    public async Task AppendBatchAsync_FiveHundredMessages_KeepsInputOrder()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var batch = Enumerable.Range(1, 500).Select(i => Messages.Chat(_room, $"m{i}")).ToList();

        IReadOnlyList<AppendResult> results = await Log.AppendBatchAsync(batch, cts.Token);
        IReadOnlyList<ChatMessage> first = await Log.ReadAfterAsync(_room, 0, 300, cts.Token);
        IReadOnlyList<ChatMessage> rest = await Log.ReadAfterAsync(_room, 300, 300, cts.Token);

        Assert.Equal(Enumerable.Range(1, 500).Select(i => new AppendResult(i, false)), results);
        ChatMessage[] all = [.. first, .. rest];
        Assert.Equal(Enumerable.Range(1, 500).Select(i => $"m{i}"), all.Select(m => m.Content));
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), all.Select(m => m.Seq));
        Assert.Equal(batch.Select(m => m.MessageId), all.Select(m => m.MessageId));
    }

    [Fact]
    public async Task AppendBatchAsync_RetriedAfterPartialApply_AppendsEachMessageOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var batch = Enumerable.Range(1, 10).Select(i => Messages.Chat(_room, $"m{i}")).ToList();
        await Log.AppendBatchAsync(batch.Take(4).ToList(), cts.Token);

        IReadOnlyList<AppendResult> results = await Log.AppendBatchAsync(batch, cts.Token);

        Assert.Equal([true, true, true, true, false, false, false, false, false, false], results.Select(r => r.Duplicate));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), results.Select(r => r.Seq));
        Assert.Equal(10, await Log.GetLastSeqAsync(_room, cts.Token));
    }

    [Fact]
    public async Task GetLastSeqAsync_UnknownRoom_ReturnsZero()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);

        long last = await Log.GetLastSeqAsync(_room, cts.Token);
        long? first = await Log.GetFirstRetainedSeqAsync(_room, cts.Token);
        IReadOnlyList<ChatMessage> read = await Log.ReadAfterAsync(_room, 0, 10, cts.Token);

        Assert.Equal(0, last);
        Assert.Null(first);
        Assert.Empty(read);
    }

    [Fact]
    public async Task GetFirstRetainedSeqAsync_AfterAppends_ReturnsOne()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await Log.AppendBatchAsync([Messages.Chat(_room, "a"), Messages.Chat(_room, "b")], cts.Token);

        long? first = await Log.GetFirstRetainedSeqAsync(_room, cts.Token);

        Assert.Equal(1, first);
    }

    [Fact]
    public async Task GetRoomsAsync_AfterAppend_ContainsRoom()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await Log.AppendAsync(Messages.Chat(_room, "a"), cts.Token);

        IReadOnlyList<string> rooms = await Log.GetRoomsAsync(cts.Token);

        Assert.Contains(_room, rooms);
    }

    [Fact]
    public async Task AppendAsync_SequenceKeyDeleted_ContinuesAfterNewestEntry()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await Log.AppendBatchAsync([Messages.Chat(_room, "a"), Messages.Chat(_room, "b")], cts.Token);
        var database = await _provider!.GetMessageDatabaseAsync();
        await database.KeyDeleteAsync(RedisKeys.Sequence(_room));

        AppendResult result = await Log.AppendAsync(Messages.Chat(_room, "c"), cts.Token);

        Assert.Equal(new AppendResult(3, false), result);
    }

    [Fact]
    public async Task GetLastSeqAsync_SequenceKeyMissing_AnswersTheNewestEntry()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await Log.AppendBatchAsync([Messages.Chat(_room, "a"), Messages.Chat(_room, "b")], cts.Token);
        var database = await _provider!.GetMessageDatabaseAsync();

        // As after the upgrade that renamed the sequence keys, before the room's next append.
        await database.KeyDeleteAsync(RedisKeys.Sequence(_room));

        Assert.Equal(2, await Log.GetLastSeqAsync(_room, cts.Token));
    }

    [Fact]
    public async Task AppendAsync_RedisLostTheRoom_ContinuesAfterTheHighestSeqThisProcessAssigned()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await Log.AppendBatchAsync([Messages.Chat(_room, "a"), Messages.Chat(_room, "b"), Messages.Chat(_room, "c")], cts.Token);
        var database = await _provider!.GetMessageDatabaseAsync();

        // What a restart without the append-only file leaves of the room: nothing.
        await database.KeyDeleteAsync([RedisKeys.Sequence(_room), RedisKeys.Stream(_room)]);
        AppendResult result = await Log.AppendAsync(Messages.Chat(_room, "d"), cts.Token);

        Assert.Equal(new AppendResult(4, false), result);
        Assert.Equal([4L], (await Log.ReadAfterAsync(_room, 0, 10, cts.Token)).Select(m => m.Seq));
    }

    [Fact]
    public async Task AppendAsync_RedisLostTheRoom_ANewProcessContinuesAfterTheFloorItWasGiven()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await Log.AppendAsync(Messages.Chat(_room, "a"), cts.Token);
        var database = await _provider!.GetMessageDatabaseAsync();
        await database.KeyDeleteAsync([RedisKeys.Sequence(_room), RedisKeys.Stream(_room)]);

        // A consumer started after the loss knows only what PostgreSQL stored (its seeder's floor).
        var restarted = new RedisMessageLog(_provider, NullLogger<RedisMessageLog>.Instance);
        restarted.RaiseSequenceFloor(_room, 41);
        restarted.RaiseSequenceFloor(_room, 7);
        AppendResult result = await restarted.AppendAsync(Messages.Chat(_room, "b"), cts.Token);

        Assert.Equal(new AppendResult(42, false), result);
    }

    [Fact]
    public async Task AppendAsync_FloorBelowTheCounter_ChangesNothing()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await Log.AppendBatchAsync([Messages.Chat(_room, "a"), Messages.Chat(_room, "b")], cts.Token);
        var other = new RedisMessageLog(_provider!, NullLogger<RedisMessageLog>.Instance);
        other.RaiseSequenceFloor(_room, 1);

        Assert.Equal(new AppendResult(3, false), await other.AppendAsync(Messages.Chat(_room, "c"), cts.Token));
    }

    [Fact]
    public async Task SubscribeAsync_AppendInRoom_CallsBackWithRoom()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var notified = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        await Log.SubscribeAsync(room => { if (room == _room) { notified.TrySetResult(room); } }, subscription.Token);

        await Log.AppendAsync(Messages.Chat(_room, "wake up"), cts.Token);

        Assert.Equal(_room, await notified.Task.WaitAsync(cts.Token));
        await subscription.CancelAsync();
    }

    [Fact]
    public async Task AppendBatchAsync_TwoRoomsInterleaved_NumbersEachRoomInInputOrder()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        string other = _room + "-b";
        try
        {
            var batch = Enumerable.Range(1, 300).Select(i => Messages.Chat(i % 3 == 0 ? other : _room, $"m{i}")).ToList();

            IReadOnlyList<AppendResult> results = await Log.AppendBatchAsync(batch, cts.Token);

            // Each room numbered from 1 in input order, across the script's chunks of 128.
            long a = 0, b = 0;
            Assert.Equal(batch.Select(m => new AppendResult(m.SubId == other ? ++b : ++a, false)), results);
            IReadOnlyList<ChatMessage> inB = await Log.ReadAfterAsync(other, 0, 500, cts.Token);
            Assert.Equal(batch.Where(m => m.SubId == other).Select(m => m.Content), inB.Select(m => m.Content));
            Assert.All(inB, m => Assert.Equal(other, m.SubId));
        }
        finally
        {
            var database = await _provider!.GetMessageDatabaseAsync();
            await database.KeyDeleteAsync([RedisKeys.Stream(other), RedisKeys.Sequence(other)]);
            await database.SetRemoveAsync(RedisKeys.Rooms, other);
        }
    }

    [Fact]
    public async Task AppendBatchAsync_SameMessageTwiceInOneBatch_AppendsItOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        ChatMessage once = Messages.Chat(_room, "redelivered");

        IReadOnlyList<AppendResult> results = await Log.AppendBatchAsync([Messages.Chat(_room, "a"), once, once, Messages.Chat(_room, "b")], cts.Token);

        Assert.Equal([new AppendResult(1, false), new AppendResult(2, false), new AppendResult(2, true), new AppendResult(3, false)], results);
        Assert.Equal(["a", "redelivered", "b"], (await Log.ReadAfterAsync(_room, 0, 10, cts.Token)).Select(m => m.Content));
    }

    [Fact]
    public async Task AppendBatchAsync_OneRoom_WakesFollowersOncePerScriptCall()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        int wakes = 0;
        using var subscription = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        await Log.SubscribeAsync(room => { if (room == _room) { Interlocked.Increment(ref wakes); } }, subscription.Token);

        await Log.AppendBatchAsync([.. Enumerable.Range(1, 50).Select(i => Messages.Chat(_room, $"m{i}"))], cts.Token);
        await Log.AppendBatchAsync([.. Enumerable.Range(1, 200).Select(i => Messages.Chat(_room, $"n{i}"))], cts.Token);

        // One more append alone: 1 + 2 (200 = 128 + 72) + 1 wake-ups; then a pause for any extra.
        await Log.AppendAsync(Messages.Chat(_room, "marker"), cts.Token);
        await WaitUntilAsync(() => Volatile.Read(ref wakes) >= 4, cts.Token);
        await Task.Delay(200, cts.Token);
        Assert.Equal(4, Volatile.Read(ref wakes));
        await subscription.CancelAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
