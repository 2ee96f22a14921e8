using System.Text.Json;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Tests.Support;
using RealTimeMessageChat.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class BroadcastTests
{
    [Fact]
    public async Task Broadcast_ManyMessages_ReachEveryClientOnceAndInOrder()
    {
        const int Count = 300;
        using CancellationTokenSource cts = TestTimeout.Start(30);
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        TestClient[] clients =
        [
            await server.ConnectClientAsync("alice", cts.Token),
            await server.ConnectClientAsync("bob", cts.Token),
            await server.ConnectClientAsync("carol", cts.Token),
        ];

        Task<List<long>>[] readers = [.. clients.Select(c => c.ReadBroadcastSeqsAsync(Count, cts.Token))];
        for (int i = 0; i < Count; i++)
        {
            server.Log.Append($"message {i}", sender: i % 2 == 0 ? "alice" : "bob");
        }

        foreach (Task<List<long>> reader in readers)
        {
            Assert.Equal(FrameAssertions.Range(1, Count), await reader);
        }

        foreach (TestClient client in clients)
        {
            await client.AssertNothingPendingAsync(cts.Token);
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Broadcast_RoomLargeEnoughToSplitItsWakeUps_ReachesEveryClientOnceAndInOrder()
    {
        // Above Broadcaster.SplitFrom the feed's thread and pool threads share the subscribers.
        const int Clients = Broadcaster.SplitFrom + 44, Count = 40;
        using CancellationTokenSource cts = TestTimeout.Start(60);
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        var clients = new List<TestClient>();
        for (int i = 0; i < Clients; i++)
        {
            clients.Add(await server.ConnectClientAsync($"user{i % 40}", cts.Token));
        }

        Task<List<long>>[] readers = [.. clients.Select(c => c.ReadBroadcastSeqsAsync(Count, cts.Token))];
        for (int i = 0; i < Count; i++)
        {
            server.Log.Append($"message {i}", sender: "user0");
        }

        foreach (Task<List<long>> reader in readers)
        {
            Assert.Equal(FrameAssertions.Range(1, Count), await reader);
        }

        foreach (TestClient client in clients)
        {
            await client.AssertNothingPendingAsync(cts.Token);
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Broadcast_Frame_CarriesTheContractFields()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token);

        ChatMessage sent = server.Log.Append("hello, world", sender: "alice");
        JsonElement frame = await client.ReadFrameAsync(cts.Token);

        Assert.Equal("send_broadcast_message", frame.Command());
        JsonElement message = frame.GetProperty("message");
        Assert.Equal("alice", message.GetProperty("id").GetString());
        Assert.Equal(string.Empty, message.GetProperty("sub_id").GetString());
        Assert.Equal("hello, world", message.GetProperty("data").GetString());
        Assert.Equal(sent.MessageId, message.GetProperty("message_id").GetGuid());
        Assert.Equal(1, message.GetProperty("seq").GetInt64());
        Assert.Equal(sent.CreatedAt.UtcDateTime, DateTimeOffset.Parse(message.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime, TimeSpan.FromMilliseconds(1));
        Assert.EndsWith("Z", message.GetProperty("timestamp").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_WithoutLastSeq_ReceivesOnlyNewMessages()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var log = new FakeMessageLog();
        for (int i = 0; i < 5; i++)
        {
            log.Append($"old {i}");
        }

        await using TestServer server = await TestServer.StartAsync(cts.Token, log: log);
        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token);
        server.Log.Append("new");

        Assert.Equal([6L], await client.ReadBroadcastSeqsAsync(1, cts.Token));
        await client.AssertNothingPendingAsync(cts.Token);
    }

    [Fact]
    public async Task Connect_WithLastSeq_ReplaysThenContinuesLiveWithoutGapOrDuplicate()
    {
        const int Before = 400;
        const int During = 400;
        const long LastSeq = 150;
        using CancellationTokenSource cts = TestTimeout.Start(30);

        // Small replay batches make the catch-up take several reads while live messages arrive.
        var log = new FakeMessageLog();
        for (int i = 0; i < Before; i++)
        {
            log.Append($"before {i}");
        }

        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?> { ["replay_batch_size"] = "16" }, log);

        await using TestClient watcher = await server.ConnectClientAsync("watcher", cts.Token);
        Task<List<long>> watcherReads = watcher.ReadBroadcastSeqsAsync(During, cts.Token);
        var appendStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task appender = Task.Run(
            async () =>
            {
                appendStarted.SetResult();
                for (int i = 0; i < During; i++)
                {
                    server.Log.Append($"during {i}");
                    if (i % 8 == 0)
                    {
                        await Task.Yield();
                    }
                }
            },
            cts.Token);
        await appendStarted.Task;

        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token, lastSeq: LastSeq);
        await appender;
        List<long> seqs = await client.ReadBroadcastSeqsAsync(Before + During - (int)LastSeq, cts.Token);

        Assert.Equal(FrameAssertions.Range(LastSeq + 1, Before + During), seqs);
        await client.AssertNothingPendingAsync(cts.Token);
        Assert.Equal(FrameAssertions.Range(Before + 1, Before + During), await watcherReads);
        server.Log.Append("after");
        Assert.Equal([(long)Before + During + 1], await client.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    [Fact]
    public async Task Connect_WithLastSeqBeyondNewest_DeliversOnlyLaterMessages()
    {
        using CancellationTokenSource cts = TestTimeout.Start();

        // In the log before the start, so the server's newest is 1 when the client connects (a
        // message appended just before the connect may not have reached the feed yet, and would
        // then count as new: the server clamps to the newest seq it has, not to Redis').
        var log = new FakeMessageLog();
        log.Append("one");
        await using TestServer server = await TestServer.StartAsync(cts.Token, log: log);

        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token, lastSeq: 1_000);
        server.Log.Append("two");

        Assert.Equal([2L], await client.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    [Fact]
    public async Task Deliver_InterimFrameMissed_CatchesUpFromTheLogInOrder()
    {
        using CancellationTokenSource cts = TestTimeout.Start();

        // A feed that only wakes on notifications, so the test decides what the broadcaster offers.
        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?> { ["poll_interval_ms"] = "60000" });
        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token);
        await client.AssertNothingPendingAsync(cts.Token);
        server.Log.AppendSilently("one");
        ChatMessage second = server.Log.AppendSilently("two");
        IFrameCodec codec = server.Services.GetRequiredService<IFrameCodec>();

        server.Services.GetRequiredService<Broadcaster>().Publish("", second.Seq, BroadcastFrameEncoder.Encode(second, codec));
        List<long> caughtUp = await client.ReadBroadcastSeqsAsync(2, cts.Token);
        server.Log.Append("three");
        List<long> live = await client.ReadBroadcastSeqsAsync(1, cts.Token);

        Assert.Equal([1L, 2L], caughtUp);
        Assert.Equal([3L], live);
        await client.AssertNothingPendingAsync(cts.Token);
    }

    [Fact]
    public async Task Broadcast_NewRoom_ReachesItsSubscribedMembers()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        server.Members.Add("lobby", "bob");
        await using TestClient client = await RoomTests.ConnectWithRoomsAsync(server, "bob", [("lobby", null)], cts.Token);
        Assert.Equal("joined", (await client.ReadFrameAsync(cts.Token)).Command());

        server.Log.Append("in lobby", room: "lobby");
        server.Log.Append("more", room: "lobby");

        Assert.Equal([1L, 2L], await client.ReadBroadcastSeqsAsync(2, cts.Token, room: "lobby"));
    }

    [Fact]
    public async Task SlowConsumer_NeverReads_IsDisconnectedWhileReaderGetsEveryMessage()
    {
        using CancellationTokenSource cts = TestTimeout.Start(60);
        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?> { ["send_queue_capacity"] = "64" });
        var evicted = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestClient reader = await server.ConnectClientAsync("reader", cts.Token);
        await using TestClient sleeper = await server.ConnectClientAsync("sleeper", cts.Token, receiveBufferSize: 4096);
        server.Registry.Removed += c =>
        {
            if (c.UserId == "sleeper")
            {
                evicted.TrySetResult(c.CloseReason);
            }
        };
        string content = new('x', 16 * 1024);

        long sent = 0;
        var received = new List<long>();
        while (!evicted.Task.IsCompleted && sent < 5_000)
        {
            // Batches smaller than the queue, paced by the reader, so only the sleeper falls behind.
            for (int i = 0; i < 32; i++)
            {
                server.Log.Append(content);
            }

            sent += 32;
            received.AddRange(await reader.ReadBroadcastSeqsAsync(32, cts.Token));
        }

        string? reason = await evicted.Task.WaitAsync(cts.Token);
        for (int i = 0; i < 10; i++)
        {
            server.Log.Append("after eviction");
        }

        received.AddRange(await reader.ReadBroadcastSeqsAsync(10, cts.Token));

        Assert.Equal("send queue full", reason);
        Assert.Equal(FrameAssertions.Range(1, sent + 10), received);
        Assert.DoesNotContain(server.Registry.Snapshot(), c => c.UserId == "sleeper");
    }

    [Fact]
    public async Task SlowConsumer_CatchUpPolicy_StaysConnectedAndGetsEveryMessageOnceInOrder()
    {
        const int Count = 600;
        using CancellationTokenSource cts = TestTimeout.Start(60);
        await using TestServer server = await TestServer.StartAsync(
            cts.Token,
            new Dictionary<string, string?> { ["send_queue_capacity"] = "16", ["slow_client_policy"] = "catch_up", ["replay_batch_size"] = "32" });
        await using TestClient sleeper = await server.ConnectClientAsync("sleeper", cts.Token, receiveBufferSize: 4096);
        await using TestClient reader = await server.ConnectClientAsync("reader", cts.Token);
        string content = new('y', 8 * 1024);

        Task<List<long>> readerSeqs = reader.ReadBroadcastSeqsAsync(Count, cts.Token);
        for (int i = 0; i < Count; i++)
        {
            server.Log.Append(content);
        }

        await readerSeqs;
        List<long> sleeperSeqs = await sleeper.ReadBroadcastSeqsAsync(Count, cts.Token);

        Assert.Equal(FrameAssertions.Range(1, Count), sleeperSeqs);
        Assert.Equal(FrameAssertions.Range(1, Count), await readerSeqs);
        await sleeper.AssertNothingPendingAsync(cts.Token);
        server.Log.Append("live again");
        Assert.Equal([(long)Count + 1], await sleeper.ReadBroadcastSeqsAsync(1, cts.Token));
    }
}
