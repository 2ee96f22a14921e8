using System.Net;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Contracts.Rooms;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// Issue 8 the way a user drives it: rooms, members and DMs made over HTTP (no SQL rows), their
/// effect on live TCP sessions on two MainServers, history, replay, read receipts and unread counts.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public class RoomsEndToEndTests(TestServicesFixture services)
{
    private const string Password = "rooms e2e pass";

    /// <summary>The Redis the system runs on: null for the services' single Redis; a derived class gives a cluster.</summary>
    protected virtual RedisEndpoint? RedisCluster => null;

    private Task<ChatSystem> StartSystemAsync(CancellationToken ct) =>
        ChatSystem.StartAsync(services.Require(), ct, mainServers: 2, redisCluster: RedisCluster);

    [Fact]
    public async Task AddAndRemoveOverHttp_ReachTheLiveSession_ThenPublishIs403_AndAQueuedMessageIsDeadLettered()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct);
        using var api = new ChatApi(system.RestApiUrl);
        string alice = "ali_" + system.Id, bob = "bob_" + system.Id;
        string aliceToken = await api.RegisterAndLoginAsync(alice, Password, ct);
        string bobToken = await api.RegisterAndLoginAsync(bob, Password, ct);
        string room = "priv" + system.Id, other = "pub" + system.Id;
        await api.CreateRoomAsync(aliceToken, room, ct, visibility: "private");
        await api.CreateRoomAsync(aliceToken, other, ct);
        await api.AddMemberAsync(bobToken, other, ct);

        // Bob on the second server with a room list that lacks the private room (he is not in it yet).
        await using RoomClient aliceClient = await RoomClient.ConnectAsync(system.MainServers[0].TcpPort, alice, aliceToken, [room], ct);
        await using RoomClient bobClient = await RoomClient.ConnectAsync(system.MainServers[1].TcpPort, bob, bobToken, [other], ct);
        await aliceClient.ExpectControlAsync("joined", room, ct);
        await bobClient.ExpectControlAsync("joined", other, ct);
        await api.PublishToRoomAsync(aliceToken, room, "before bob", ct);
        await PipelineEndToEndTests.WithTails(system, aliceClient.ReceiveBroadcastsAsync(1, ct));

        // Added over HTTP: bob's live session joins from the room's newest seq, then gets what follows.
        await api.AddMemberAsync(aliceToken, room, ct, userId: bob);
        JsonObject joined = await bobClient.ExpectControlAsync("joined", room, ct);
        Assert.Equal(1L, (long)joined["seq"]!);
        await api.PublishToRoomAsync(aliceToken, room, "welcome bob", ct);
        await api.PublishToRoomAsync(bobToken, room, "thanks", ct);
        await PipelineEndToEndTests.WithTails(system, Task.WhenAll(bobClient.ReceiveBroadcastsAsync(2, ct), aliceClient.ReceiveBroadcastsAsync(2, ct)));
        Assert.Equal([(2L, "welcome bob"), (3L, "thanks")], bobClient.Received.Select(b => (b.Seq, b.Data)));
        Assert.All(bobClient.Received, b => Assert.Equal(room, b.Room));

        // Removed over HTTP: room_left, the second server stops following the room (only "" and the
        // public room are left), publishing is refused, and a message of his already queued is dead-lettered.
        await api.RemoveMemberAsync(aliceToken, room, bob, ct);
        JsonObject roomLeft = await bobClient.ExpectControlAsync("room_left", room, ct);
        Assert.Equal("removed", (string?)roomLeft["reason"]);
        await WaitForAsync(system, "server 2 to stop following the room", async () =>
            RoomsTcpEndToEndTests.Metric(await RoomsTcpEndToEndTests.MetricsAsync(system.MainServers[1].HealthPort, ct), "rtmc_mainserver_rooms_followed") == 2, ct);
        await RoomsApiEndToEndTests.ExpectProblemAsync(api.PublishAsync(bobToken, new { content = "still here?", sub_id = room }, ct), HttpStatusCode.Forbidden, "sub_id", ct);
        Assert.Equal($"sender is not a member of room {room}", await RoomsApiEndToEndTests.PublishAndReadDeadLetterAsync(system, bob, room, ct));

        // Frames of the room stop: alice's next one reaches her only; bob's public room still flows.
        await api.PublishToRoomAsync(aliceToken, room, "after bob", ct);
        await PipelineEndToEndTests.WithTails(system, aliceClient.ReceiveBroadcastsAsync(1, ct));
        await api.PublishToRoomAsync(aliceToken, other, "in the public room", ct);
        await PipelineEndToEndTests.WithTails(system, bobClient.ReceiveBroadcastsAsync(1, ct));
        Assert.Equal((other, 1L), (bobClient.Received[^1].Room, bobClient.Received[^1].Seq));
        await bobClient.AssertNothingPendingAsync(ct);
        Assert.Equal([2L, 3L], bobClient.Received.Where(b => b.Room == room).Select(b => b.Seq));
        Assert.Equal([(1L, "before bob"), (2L, "welcome bob"), (3L, "thanks"), (4L, "after bob")], aliceClient.Received.Select(b => (b.Seq, b.Data)));
        JsonArray history = await RoomsApiEndToEndTests.HistoryAsync(api, aliceToken, room, 4, ct);
        Assert.DoesNotContain(history, m => (string?)m!["content"] == "queued before the removal");
    }

    [Fact]
    public async Task DirectMessage_AcrossTwoServers_ReachesBoth_HasHistoryForBothOnly_AndReplaysAfterAReconnect()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct);
        using var api = new ChatApi(system.RestApiUrl);
        string alice = "ali_" + system.Id, bob = "bob_" + system.Id, carol = "car_" + system.Id;
        string aliceToken = await api.RegisterAndLoginAsync(alice, Password, ct);
        string bobToken = await api.RegisterAndLoginAsync(bob, Password, ct);
        string carolToken = await api.RegisterAndLoginAsync(carol, Password, ct);
        int s0 = system.MainServers[0].TcpPort, s1 = system.MainServers[1].TcpPort;
        await using RoomClient aliceClient = await RoomClient.ConnectAsync(s0, alice, aliceToken, [], ct);
        RoomClient bobClient = await RoomClient.ConnectAsync(s1, bob, bobToken, [], ct);

        // The first DM creates the room; the announcement adds both live sessions, on either server.
        (string dm, _) = await api.SendDirectAsync(aliceToken, bob, "hi bob", ct);
        Assert.Equal(DirectRoomId.For(alice, bob), dm);
        Assert.Equal(DirectRoomId.For(bob, alice), dm);
        await aliceClient.ExpectControlAsync("joined", dm, ct);
        await bobClient.ExpectControlAsync("joined", dm, ct);
        (string reply, _) = await api.SendDirectAsync(bobToken, alice, "hi alice", ct);
        Assert.Equal(dm, reply);

        // The announcement carries the seq the API read before it made the room (0), and each
        // session starts after it: the first message reaches both live even when it was appended
        // before a server acted on the announcement (the outside check saw that race lost 3 times
        // in 73 when sessions started at the room's newest seq).
        (long Seq, string Sender, string Data)[] thread = [(1L, alice, "hi bob"), (2L, bob, "hi alice")];
        foreach (RoomClient client in new[] { aliceClient, bobClient })
        {
            await PipelineEndToEndTests.WithTails(system, client.ReceiveBroadcastsAsync(2, ct));
            Assert.Equal(thread, client.Received.Select(b => (b.Seq, b.Sender, b.Data)));
            Assert.All(client.Received, b => Assert.Equal(dm, b.Room));
        }

        // History for both members only.
        foreach (string token in new[] { aliceToken, bobToken })
        {
            JsonArray history = await RoomsApiEndToEndTests.HistoryAsync(api, token, dm, 2, ct);
            Assert.Equal(thread, history.Select(m => ((long)m!["seq"]!, (string)m["id"]!, (string)m["content"]!)));
        }

        await RoomsApiEndToEndTests.ExpectProblemAsync(api.SendAsync(HttpMethod.Get, $"/api/v1/messages?sub_id={dm}", carolToken, ct), HttpStatusCode.Forbidden, "sub_id", ct);

        // Bob goes away after seq 1 was his last printed; two more arrive; reconnecting (to the
        // other server) with last_seq 1 for the DM replays 2..4 in order, then it is live again.
        await bobClient.DisposeAsync();
        await api.SendDirectAsync(aliceToken, bob, "are you there?", ct);
        await api.SendDirectAsync(aliceToken, bob, "bob?", ct);
        await PipelineEndToEndTests.WithTails(system, aliceClient.ReceiveBroadcastsAsync(2, ct));
        await using RoomClient back = await RoomClient.ResumeAsync(s0, bob, bobToken, [(dm, 1L)], ct);
        await back.ExpectControlAsync("joined", dm, ct);
        await PipelineEndToEndTests.WithTails(system, back.ReceiveBroadcastsAsync(3, ct));
        Assert.Equal([(2L, "hi alice"), (3L, "are you there?"), (4L, "bob?")], back.Received.Select(b => (b.Seq, b.Data)));
        await api.SendDirectAsync(bobToken, alice, "back", ct);
        await PipelineEndToEndTests.WithTails(system, Task.WhenAll(back.ReceiveBroadcastsAsync(1, ct), aliceClient.ReceiveBroadcastsAsync(1, ct)));
        Assert.Equal((5L, "back"), (back.Received[^1].Seq, back.Received[^1].Data));
        Assert.Equal(5L, aliceClient.Received[^1].Seq);
        await back.AssertNothingPendingAsync(ct);
    }

    [Fact]
    public async Task ReadCommandsOnTcp_AreShownByReads_AndGiveTheUnreadCountsOfTheRoomList()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct);
        using var api = new ChatApi(system.RestApiUrl);
        string alice = "ali_" + system.Id, bob = "bob_" + system.Id;
        string aliceToken = await api.RegisterAndLoginAsync(alice, Password, ct);
        string bobToken = await api.RegisterAndLoginAsync(bob, Password, ct);
        string room = "news" + system.Id;
        await api.CreateRoomAsync(aliceToken, room, ct);
        await api.AddMemberAsync(bobToken, room, ct);
        await using RoomClient aliceClient = await RoomClient.ConnectAsync(system.MainServers[0].TcpPort, alice, aliceToken, [room], ct);
        await using RoomClient bobClient = await RoomClient.ConnectAsync(system.MainServers[1].TcpPort, bob, bobToken, [room], ct);
        await aliceClient.ExpectControlAsync("joined", room, ct);
        await bobClient.ExpectControlAsync("joined", room, ct);
        for (int i = 1; i <= 3; i++)
        {
            await api.PublishToRoomAsync(aliceToken, room, $"news {i}", ct);
        }

        await PipelineEndToEndTests.WithTails(system, Task.WhenAll(aliceClient.ReceiveBroadcastsAsync(3, ct), bobClient.ReceiveBroadcastsAsync(3, ct)));

        // Before any read: everything unread for both.
        Assert.Equal((3L, 0L, 3L), await UnreadAsync(api, bobToken, room, ct));

        // Bob read 2 on one server, alice 3 on the other: both stored and listed.
        await bobClient.SendAsync(new { command = "read", sub_id = room, seq = 2 }, ct);
        await aliceClient.SendAsync(new { command = "read", sub_id = room, seq = 3 }, ct);
        await WaitForReadsAsync(system, api, bobToken, room, new() { [alice] = 3, [bob] = 2 }, ct);
        Assert.Equal((3L, 2L, 1L), await UnreadAsync(api, bobToken, room, ct));
        Assert.Equal((3L, 3L, 0L), await UnreadAsync(api, aliceToken, room, ct));

        // Two more: bob's unread grows with the newest seq; a read beyond it is capped at the newest.
        await api.PublishToRoomAsync(aliceToken, room, "news 4", ct);
        await api.PublishToRoomAsync(aliceToken, room, "news 5", ct);
        await PipelineEndToEndTests.WithTails(system, Task.WhenAll(aliceClient.ReceiveBroadcastsAsync(2, ct), bobClient.ReceiveBroadcastsAsync(2, ct)));
        Assert.Equal((5L, 2L, 3L), await UnreadAsync(api, bobToken, room, ct));
        Assert.Equal((5L, 3L, 2L), await UnreadAsync(api, aliceToken, room, ct));
        await bobClient.SendAsync(new { command = "read", sub_id = room, seq = 99 }, ct);
        await WaitForReadsAsync(system, api, aliceToken, room, new() { [alice] = 3, [bob] = 5 }, ct);
        Assert.Equal((5L, 5L, 0L), await UnreadAsync(api, bobToken, room, ct));
        Assert.Equal(5L, (long)(await api.GetJsonAsync(aliceToken, $"/api/v1/rooms/{room}/reads", ct))["last_seq"]!);
    }

    /// <summary>The room's (last_seq, read_seq, unread) as <c>GET /api/v1/rooms</c> lists it for the token's user.</summary>
    private static async Task<(long Last, long Read, long Unread)> UnreadAsync(ChatApi api, string token, string room, CancellationToken ct)
    {
        JsonArray rooms = (await api.GetJsonAsync(token, "/api/v1/rooms", ct))["rooms"]!.AsArray();
        JsonNode listed = Assert.Single(rooms, r => (string?)r!["room_id"] == room)!;
        Assert.True((bool)listed["is_member"]!);
        return ((long)listed["last_seq"]!, (long)listed["read_seq"]!, (long)listed["unread"]!);
    }

    /// <summary>Waits until <c>GET /api/v1/rooms/{room}/reads</c> shows exactly <paramref name="expected"/> (reads are stored behind the connection).</summary>
    private static async Task WaitForReadsAsync(ChatSystem system, ChatApi api, string token, string room, Dictionary<string, long> expected, CancellationToken ct)
    {
        string shown = string.Empty;
        await WaitForAsync(system, $"reads {string.Join(", ", expected)} of {room}", async () =>
        {
            JsonObject reads = await api.GetJsonAsync(token, $"/api/v1/rooms/{room}/reads", ct);
            shown = reads.ToJsonString();
            var got = reads["reads"]!.AsArray().ToDictionary(r => (string)r!["user_id"]!, r => (long)r!["seq"]!);
            return got.Count == expected.Count && expected.All(e => got.GetValueOrDefault(e.Key) == e.Value);
        }, ct);
    }

    private static async Task WaitForAsync(ChatSystem system, string what, Func<Task<bool>> condition, CancellationToken ct)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}{Environment.NewLine}{system.Tails()}");
            await Task.Delay(50, ct);
        }
    }
}
