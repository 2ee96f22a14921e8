using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Sessions;
using StackExchange.Redis;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// Issue 8 on TCP against the real services: rooms and memberships are rows in PostgreSQL (V5), a
/// membership change is announced on the control channel as the RestApi does, messages are
/// published through the API with <c>sub_id</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public class RoomsTcpEndToEndTests(TestServicesFixture services)
{
    /// <summary>The Redis the system runs on: null for the services' single Redis; a derived class gives a cluster.</summary>
    protected virtual RedisEndpoint? RedisCluster => null;

    private Task<ChatSystem> StartSystemAsync(CancellationToken ct) =>
        ChatSystem.StartAsync(services.Require(), ct, mainServers: 2, redisCluster: RedisCluster);

    [Fact]
    public async Task ThreeRooms_TwoServers_300Messages_EachClientGetsExactlyItsRoomsOnceInSeqOrder()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct);
        using var api = new ChatApi(system.RestApiUrl);
        string[] users = [.. Enumerable.Range(0, 6).Select(i => $"u{i}_{system.Id}")];
        string[] tokens = await Task.WhenAll(users.Select(u => api.RegisterAndLoginAsync(u, "pw-" + system.Id, ct)));
        string roomA = "ra" + system.Id, roomB = "rb" + system.Id, roomC = "rc" + system.Id;
        var members = new Dictionary<string, int[]> { [roomA] = [0, 1, 2], [roomB] = [2, 3], [roomC] = [4] };
        await using (NpgsqlConnection db = system.OpenDatabase())
        {
            foreach (var (room, who) in members)
            {
                await AddRoomAsync(db, room, users[who[0]], who.Select(i => users[i]));
            }
        }

        // Even users on server 0, odd on server 1: room C's only member is on server 0.
        var clients = new RoomClient[users.Length];
        for (int i = 0; i < users.Length; i++)
        {
            string[] mine = [.. members.Where(m => m.Value.Contains(i)).Select(m => m.Key)];
            string[] asked = i == 5 ? [roomA] : mine;
            clients[i] = await RoomClient.ConnectAsync(system.MainServers[i % 2].TcpPort, users[i], tokens[i], asked, ct);
            foreach (string room in mine)
            {
                JsonObject joined = await clients[i].ReceiveControlAsync(ct);
                Assert.Equal("joined", (string?)joined["command"]);
            }
        }

        JsonObject refused = await clients[5].ReceiveControlAsync(ct);
        Assert.Equal("error", (string?)refused["command"]);
        Assert.Equal(roomA, (string?)refused["sub_id"]);

        // 300 messages: 90 in each room from its members, 30 in the global room from the non-member.
        var senders = new (int User, string Room, int Count)[] { (0, roomA, 45), (1, roomA, 45), (2, roomB, 45), (3, roomB, 45), (4, roomC, 90), (5, "", 30) };
        Dictionary<string, int> perRoom = senders.GroupBy(s => s.Room).ToDictionary(g => g.Key, g => g.Sum(s => s.Count));
        int Expected(int i) => perRoom[""] + members.Where(m => m.Value.Contains(i)).Sum(m => perRoom[m.Key]);
        Task[] receiving = [.. clients.Select((c, i) => c.ReceiveBroadcastsAsync(Expected(i), ct))];
        var started = System.Diagnostics.Stopwatch.StartNew();
        Guid[][] sent = await Task.WhenAll(senders.Select(async s =>
        {
            var ids = new Guid[s.Count];
            for (int m = 0; m < s.Count; m++)
            {
                ids[m] = await api.PublishToRoomAsync(tokens[s.User], s.Room, $"{m} from {users[s.User]}", ct);
            }

            return ids;
        }));
        await WithTails(system, Task.WhenAll(receiving));
        TestContext.Current.SendDiagnosticMessage($"300 messages in 4 rooms delivered to 6 clients on 2 servers in {started.ElapsedMilliseconds} ms");

        var idsByRoom = senders.Select((s, k) => (s.Room, Ids: sent[k])).GroupBy(x => x.Room).ToDictionary(g => g.Key, g => g.SelectMany(x => x.Ids).ToHashSet());
        for (int i = 0; i < clients.Length; i++)
        {
            string[] rooms = [.. members.Where(m => m.Value.Contains(i)).Select(m => m.Key).Append("")];
            Assert.Equal(rooms.Order(), clients[i].Received.Select(b => b.Room).Distinct().Order());
            foreach (string room in rooms)
            {
                List<Broadcast> got = [.. clients[i].Received.Where(b => b.Room == room)];
                Assert.Equal(Enumerable.Range(1, perRoom[room]).Select(n => (long)n), got.Select(b => b.Seq));
                Assert.True(idsByRoom[room].SetEquals(got.Select(b => b.MessageId)), $"{users[i]} room '{room}': other message ids");
            }

            await clients[i].AssertNothingPendingAsync(ct);
        }

        // Server 1 has no member of room C: it never followed it, so it never read its stream.
        string metrics0 = await MetricsAsync(system.MainServers[0].HealthPort, ct);
        string metrics1 = await MetricsAsync(system.MainServers[1].HealthPort, ct);
        Assert.Equal(4, Metric(metrics0, "rtmc_mainserver_rooms_followed"));
        Assert.Equal(3, Metric(metrics1, "rtmc_mainserver_rooms_followed"));
        // Server 1 heard room C's appends and ignored them. No upper bound: a Redis pub/sub channel is one
        // per server, not per database, so appends this test did not make (any other test appending on the
        // same Redis meanwhile) wake it too; a bound of one per room C message failed with 102 for 90 in a
        // clean-clone run (2026-12-04). That server 1 never read room C is checked below, from its log.
        Assert.True(Metric(metrics1, "rtmc_mainserver_feed_wakes_ignored_total") >= 1, "server 1 never heard room C's appends");
        Assert.Contains($"Following room {roomC}", system.MainServers[0].Process.Tail(400), StringComparison.Ordinal);
        Assert.DoesNotContain($"room {roomC}", system.MainServers[1].Process.Tail(400), StringComparison.Ordinal);

        foreach (RoomClient client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task JoinLeave_Removal_Addition_Typing_Read_AcrossTwoServers()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct);
        using var api = new ChatApi(system.RestApiUrl);
        string alice = "alice_" + system.Id, bob = "bob_" + system.Id, carol = "carol_" + system.Id, dave = "dave_" + system.Id;
        string[] tokens = await Task.WhenAll(new[] { alice, bob, carol, dave }.Select(u => api.RegisterAndLoginAsync(u, "pw-" + system.Id, ct)));
        string room = "team" + system.Id;
        await using NpgsqlConnection db = system.OpenDatabase();
        await AddRoomAsync(db, room, alice, [alice, bob, carol]);
        int s0 = system.MainServers[0].TcpPort, s1 = system.MainServers[1].TcpPort;
        await using RoomClient aliceClient = await RoomClient.ConnectAsync(s0, alice, tokens[0], [], ct);
        await using RoomClient daveClient = await RoomClient.ConnectAsync(s0, dave, tokens[3], [], ct);
        await using RoomClient bobClient = await RoomClient.ConnectAsync(s1, bob, tokens[1], [room], ct);
        await using RoomClient carolClient = await RoomClient.ConnectAsync(s1, carol, tokens[2], [room], ct);
        Assert.Equal("joined", (string?)(await bobClient.ReceiveControlAsync(ct))["command"]);
        Assert.Equal("joined", (string?)(await carolClient.ReceiveControlAsync(ct))["command"]);
        for (int i = 1; i <= 3; i++)
        {
            await api.PublishToRoomAsync(tokens[1], room, $"early {i}", ct);
        }

        await WithTails(system, bobClient.ReceiveBroadcastsAsync(3, ct));

        // join with last_seq replays the room from after it, then goes live.
        await aliceClient.SendAsync(new { command = "join", sub_id = room, last_seq = 0 }, ct);
        JsonObject joined = await aliceClient.ReceiveControlAsync(ct);
        Assert.Equal(("joined", room, 3L), ((string?)joined["command"], (string?)joined["sub_id"], (long)joined["seq"]!));
        await WithTails(system, aliceClient.ReceiveBroadcastsAsync(3, ct));
        Assert.Equal([1L, 2L, 3L], aliceClient.Received.Select(b => b.Seq));

        // typing from server 1 reaches the member on server 0 and the other one on server 1, not the sender; never stored.
        await bobClient.SendAsync(new { command = "typing", sub_id = room }, ct);
        JsonObject typingAtAlice = await aliceClient.ReceiveControlAsync(ct);
        JsonObject typingAtCarol = await carolClient.ReceiveControlAsync(ct);
        Assert.Equal(("typing", room, bob), ((string?)typingAtAlice["command"], (string?)typingAtAlice["sub_id"], (string?)typingAtAlice["id"]));
        Assert.Equal("typing", (string?)typingAtCarol["command"]);
        await bobClient.AssertNothingPendingAsync(ct);
        await daveClient.AssertNothingPendingAsync(ct);
        IDatabase redis = await system.RedisAsync();
        Assert.Equal(3, await redis.StreamLengthAsync(RedisKeys.Stream(room)));

        // read is stored in room_reads.
        await aliceClient.SendAsync(new { command = "read", sub_id = room, seq = 3 }, ct);
        Assert.Equal(3L, await WaitForAsync(async () => await db.QuerySingleOrDefaultAsync<long?>(
            "SELECT seq FROM room_reads WHERE room_id = @room AND user_id = @alice", new { room, alice }), ct));

        // leave over TCP: left, then nothing more of the room.
        await aliceClient.SendAsync(new { command = "leave", sub_id = room }, ct);
        JsonObject left = await aliceClient.ReceiveControlAsync(ct);
        Assert.Equal(("left", 3L), ((string?)left["command"], (long)left["seq"]!));

        // removed over "HTTP" (row deleted, event published): room_left, then nothing more.
        await db.ExecuteAsync("DELETE FROM room_members WHERE room_id = @room AND user_id = @carol", new { room, carol });
        await PublishEventAsync(system, RoomMemberEvents.MemberRemoved(room, carol, "removed"));
        JsonObject roomLeft = await carolClient.ReceiveControlAsync(ct);
        Assert.Equal(("room_left", room, "removed"), ((string?)roomLeft["command"], (string?)roomLeft["sub_id"], (string?)roomLeft["reason"]));

        // added: dave's live session starts receiving from the room's newest seq.
        await db.ExecuteAsync("INSERT INTO room_members (room_id, user_id) VALUES (@room, @dave)", new { room, dave });
        await PublishEventAsync(system, RoomMemberEvents.MemberAdded(room, dave, null));
        JsonObject daveJoined = await daveClient.ReceiveControlAsync(ct);
        Assert.Equal(("joined", 3L), ((string?)daveJoined["command"], (long)daveJoined["seq"]!));

        await api.PublishToRoomAsync(tokens[1], room, "after the changes", ct);
        await WithTails(system, Task.WhenAll(bobClient.ReceiveBroadcastsAsync(1, ct), daveClient.ReceiveBroadcastsAsync(1, ct)));
        Assert.Equal(4L, daveClient.Received.Single().Seq);
        Assert.Equal([1L, 2L, 3L, 4L], bobClient.Received.Select(b => b.Seq));
        await Task.Delay(500, ct);
        await aliceClient.AssertNothingPendingAsync(ct);
        await carolClient.AssertNothingPendingAsync(ct);
        Assert.Equal(3, aliceClient.Received.Count);
        Assert.DoesNotContain(carolClient.Received, b => b.Seq > 3);
    }

    private static async Task AddRoomAsync(NpgsqlConnection db, string room, string owner, IEnumerable<string> members)
    {
        await db.ExecuteAsync("INSERT INTO rooms (room_id, name, visibility, owner_id) VALUES (@room, @room, 'private', @owner)", new { room, owner });
        foreach (string user in members)
        {
            await db.ExecuteAsync("INSERT INTO room_members (room_id, user_id) VALUES (@room, @user)", new { room, user });
        }
    }

    /// <summary>What the RestApi does after a membership change: the announcement on the control channel.</summary>
    private static async Task PublishEventAsync(ChatSystem system, ModerationEvent moderationEvent)
    {
        IDatabase redis = await system.RedisAsync();
        int statusDb = int.Parse(system.CommonEnvironment["RTMC_REDIS_DB_USER_STATUS_INDEX"], CultureInfo.InvariantCulture);
        await redis.Multiplexer.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisSessionStore.Channel(statusDb)), ModerationEventCodec.Encode(moderationEvent));
    }

    internal static async Task<string> MetricsAsync(int healthPort, CancellationToken ct)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{healthPort}/metrics", ct);
    }

    internal static double Metric(string metrics, string name) =>
        metrics.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || l[name.Length] is ' ' or '{'))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).DefaultIfEmpty(double.NaN).Sum();

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, CancellationToken ct)
        where T : struct
    {
        while (true)
        {
            if (await probe() is T value)
            {
                return value;
            }

            await Task.Delay(50, ct);
        }
    }

    private static async Task WithTails(ChatSystem system, Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}{Environment.NewLine}{system.Tails()}");
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"timed out{Environment.NewLine}{system.Tails()}");
        }
    }
}
