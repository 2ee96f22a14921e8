using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Tests.Support;

namespace RealTimeMessageChat.MainServer.Tests;

/// <summary>Issue 8 on TCP: a client receives the global room and only the rooms it asked for and is a member of.</summary>
public sealed class RoomTests
{
    [Fact]
    public async Task Handshake_Rooms_MemberGetsItsRoomsOnly_NonMemberRefusedPerRoom_ConnectionStays()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        server.Members.Add("team", "alice", "bob");
        server.Members.Add("other", "bob");
        await using TestClient alice = await ConnectWithRoomsAsync(server, "alice", [("team", null), ("other", null)], cts.Token);
        Assert.Equal(("joined", "team", 0L), Reply(await alice.ReadFrameAsync(cts.Token)));
        JsonElement refusal = await alice.ReadFrameAsync(cts.Token);
        Assert.Equal("error", refusal.Command());
        Assert.Equal("other", refusal.GetProperty("sub_id").GetString());
        await using TestClient carol = await server.ConnectClientAsync("carol", cts.Token);

        server.Log.Append("t1", room: "team");
        server.Log.Append("o1", room: "other");
        server.Log.Append("t2", room: "team");
        server.Log.Append("g1");

        List<(string Room, long Seq)> got = await ReadAnyRoomAsync(alice, 3, cts.Token);
        Assert.Equal([1L, 2L], got.Where(f => f.Room == "team").Select(f => f.Seq));
        Assert.Equal([1L], got.Where(f => f.Room == "").Select(f => f.Seq));
        Assert.Equal([1L], await carol.ReadBroadcastSeqsAsync(1, cts.Token));
        await alice.AssertNothingPendingAsync(cts.Token);
        await carol.AssertNothingPendingAsync(cts.Token);
        Assert.Equal(0, server.Log.Reads("other"));
    }

    [Fact]
    public async Task Join_WithLastSeq_ReplaysThenLive_Leave_StopsFramesAndUnfollows()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var log = new FakeMessageLog();
        for (int i = 0; i < 5; i++)
        {
            log.Append($"old {i}", room: "team");
        }

        await using TestServer server = await TestServer.StartAsync(cts.Token, log: log);
        server.Members.Add("team", "alice");
        await using TestClient alice = await server.ConnectClientAsync("alice", cts.Token);
        Assert.False(server.Rooms.TryGet("team", out _));

        await alice.SendJsonAsync(new Dictionary<string, object> { ["command"] = "join", ["sub_id"] = "team", ["last_seq"] = 3 }, cts.Token);
        Assert.Equal(("joined", "team", 5L), Reply(await alice.ReadFrameAsync(cts.Token)));
        Assert.Equal([4L, 5L], await alice.ReadBroadcastSeqsAsync(2, cts.Token, room: "team"));
        server.Log.Append("new", room: "team");
        Assert.Equal([6L], await alice.ReadBroadcastSeqsAsync(1, cts.Token, room: "team"));
        Assert.True(server.Rooms.TryGet("team", out _));

        await alice.SendJsonAsync(new Dictionary<string, object> { ["command"] = "leave", ["sub_id"] = "team" }, cts.Token);
        Assert.Equal(("left", "team", 6L), Reply(await alice.ReadFrameAsync(cts.Token)));
        Assert.False(server.Rooms.TryGet("team", out _));
        int readsAfterLeave = server.Log.Reads("team");
        server.Log.Append("after leave", room: "team");
        await Task.Delay(300, cts.Token);
        await alice.AssertNothingPendingAsync(cts.Token);
        Assert.Equal(readsAfterLeave, server.Log.Reads("team"));
    }

    [Fact]
    public async Task Join_NotAMember_IsAnErrorFrame_AndTheConnectionStays()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient alice = await server.ConnectClientAsync("alice", cts.Token);

        await alice.SendJsonAsync(new Dictionary<string, object> { ["command"] = "join", ["sub_id"] = "secret" }, cts.Token);
        JsonElement error = await alice.ReadFrameAsync(cts.Token);
        await alice.SendJsonAsync(new Dictionary<string, object> { ["command"] = "leave", ["sub_id"] = "secret" }, cts.Token);
        JsonElement leaveError = await alice.ReadFrameAsync(cts.Token);
        await alice.SendJsonAsync(new Dictionary<string, object> { ["command"] = "join", ["sub_id"] = "not a room!" }, cts.Token);
        JsonElement badId = await alice.ReadFrameAsync(cts.Token);

        Assert.Equal("error", error.Command());
        Assert.Equal("secret", error.GetProperty("sub_id").GetString());
        Assert.Contains("not a member", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("error", leaveError.Command());
        Assert.Equal("error", badId.Command());
        Assert.False(server.Rooms.TryGet("secret", out _));
        await alice.AssertNothingPendingAsync(cts.Token);
    }

    [Fact]
    public async Task MemberEvents_AddedStartsTheRoom_RemovedSendsRoomLeftAndStopsIt()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient alice = await server.ConnectClientAsync("alice", cts.Token);
        await using TestClient bob = await server.ConnectClientAsync("bob", cts.Token);
        server.Log.Append("before", room: "team");

        server.Members.Add("team", "alice");
        await server.Sessions.PublishAsync(RoomMemberEvents.MemberAdded("team", "alice", null), cts.Token);
        Assert.Equal(("joined", "team", 1L), Reply(await alice.ReadFrameAsync(cts.Token)));
        server.Log.Append("after add", room: "team");
        Assert.Equal([2L], await alice.ReadBroadcastSeqsAsync(1, cts.Token, room: "team"));

        server.Members.Remove("team", "alice");
        await server.Sessions.PublishAsync(RoomMemberEvents.MemberRemoved("team", "alice", "removed"), cts.Token);
        JsonElement left = await alice.ReadFrameAsync(cts.Token);
        Assert.Equal("room_left", left.Command());
        Assert.Equal("team", left.GetProperty("sub_id").GetString());
        Assert.Equal("removed", left.GetProperty("reason").GetString());
        server.Log.Append("after removal", room: "team");
        await Task.Delay(300, cts.Token);
        await alice.AssertNothingPendingAsync(cts.Token);
        await bob.AssertNothingPendingAsync(cts.Token);
        Assert.False(server.Rooms.TryGet("team", out _));
    }

    [Fact]
    public async Task MemberAdded_AfterTheSeqReadBeforeTheChange_GetsWhatWasAppendedBeforeTheAnnouncementArrived()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient alice = await server.ConnectClientAsync("alice", cts.Token);

        // A ping answered means the handshake is done on the server's side too, so the session is
        // registered for its user's events (an event during a handshake is a documented race).
        await alice.AssertNothingPendingAsync(cts.Token);

        // A new DM: the API read seq 0, stored the membership, announced; the first message was
        // appended before this server acted on the announcement. Starting at the newest seq would
        // skip it; starting after the carried seq delivers it, then the room goes on live.
        server.Members.Add("dm-1", "alice");
        server.Log.Append("first", room: "dm-1");
        await server.Sessions.PublishAsync(RoomMemberEvents.MemberAdded("dm-1", "alice", afterSeq: 0), cts.Token);
        var seqs = new List<long>();
        bool joined = false;
        while (!joined || seqs.Count < 1)
        {
            JsonElement frame = await alice.ReadFrameAsync(cts.Token);
            if (frame.Command() == "joined")
            {
                joined = true;
            }
            else if (frame.Command() == "send_broadcast_message")
            {
                seqs.Add(frame.GetProperty("message").GetProperty("seq").GetInt64());
            }
        }

        server.Log.Append("second", room: "dm-1");
        seqs.AddRange(await alice.ReadBroadcastSeqsAsync(1, cts.Token, room: "dm-1"));
        Assert.Equal([1L, 2L], seqs);
    }

    [Fact]
    public async Task Typing_ReachesTheRoomsOtherSessions_NotTheSender_RateLimited()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        server.Members.Add("team", "alice", "bob");
        await using TestClient alice = await ConnectWithRoomsAsync(server, "alice", [("team", null)], cts.Token);
        await using TestClient aliceToo = await ConnectWithRoomsAsync(server, "alice", [("team", null)], cts.Token);
        await using TestClient bob = await ConnectWithRoomsAsync(server, "bob", [("team", null)], cts.Token);
        await using TestClient carol = await server.ConnectClientAsync("carol", cts.Token);
        foreach (TestClient client in new[] { alice, aliceToo, bob })
        {
            Assert.Equal("joined", (await client.ReadFrameAsync(cts.Token)).Command());
        }

        await alice.SendJsonAsync(new Dictionary<string, object> { ["command"] = "typing", ["sub_id"] = "team" }, cts.Token);
        await alice.SendJsonAsync(new Dictionary<string, object> { ["command"] = "typing", ["sub_id"] = "team" }, cts.Token);
        JsonElement atBob = await bob.ReadFrameAsync(cts.Token);
        JsonElement atAliceToo = await aliceToo.ReadFrameAsync(cts.Token);

        Assert.Equal("typing", atBob.Command());
        Assert.Equal("team", atBob.GetProperty("sub_id").GetString());
        Assert.Equal("alice", atBob.GetProperty("id").GetString());
        Assert.Equal("typing", atAliceToo.Command());
        await alice.AssertNothingPendingAsync(cts.Token);
        await bob.AssertNothingPendingAsync(cts.Token);
        await carol.AssertNothingPendingAsync(cts.Token);

        await carol.SendJsonAsync(new Dictionary<string, object> { ["command"] = "typing", ["sub_id"] = "" }, cts.Token);
        Assert.Equal("error", (await carol.ReadFrameAsync(cts.Token)).Command());
        await carol.SendJsonAsync(new Dictionary<string, object> { ["command"] = "typing", ["sub_id"] = "team" }, cts.Token);
        Assert.Equal("error", (await carol.ReadFrameAsync(cts.Token)).Command());
    }

    [Fact]
    public async Task Read_IsStoredCappedAtTheNewestSeq_WithoutAReply()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        server.Members.Add("team", "alice");
        await using TestClient alice = await ConnectWithRoomsAsync(server, "alice", [("team", null)], cts.Token);
        Assert.Equal("joined", (await alice.ReadFrameAsync(cts.Token)).Command());
        server.Log.Append("one", room: "team");
        server.Log.Append("two", room: "team");
        Assert.Equal([1L, 2L], await alice.ReadBroadcastSeqsAsync(2, cts.Token, room: "team"));

        await alice.SendJsonAsync(new Dictionary<string, object> { ["command"] = "read", ["sub_id"] = "team", ["seq"] = 99 }, cts.Token);
        await alice.AssertNothingPendingAsync(cts.Token);
        while (server.Reads.Get("team", "alice") is null)
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.Equal(2L, server.Reads.Get("team", "alice"));
        await alice.SendJsonAsync(new Dictionary<string, object> { ["command"] = "read", ["sub_id"] = "team" }, cts.Token);
        Assert.Equal("error", (await alice.ReadFrameAsync(cts.Token)).Command());
    }

    [Fact]
    public async Task Directory_FollowsARoomWhileItHasSubscribers_AndNeverReadsOneWithout()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        server.Members.Add("team", "alice", "bob");
        await using TestClient alice = await ConnectWithRoomsAsync(server, "alice", [("team", null)], cts.Token);
        await using TestClient bob = await ConnectWithRoomsAsync(server, "bob", [("team", null)], cts.Token);
        Assert.Equal("joined", (await alice.ReadFrameAsync(cts.Token)).Command());
        Assert.Equal("joined", (await bob.ReadFrameAsync(cts.Token)).Command());
        for (int i = 0; i < 20; i++)
        {
            server.Log.Append($"elsewhere {i}", room: "nobody-here");
        }

        Assert.True(server.Rooms.TryGet("team", out Room? team));
        Assert.Equal(2, team.Subscribers.Count);
        await alice.DisposeAsync();
        while (team.Subscribers.Count > 1)
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.True(server.Rooms.TryGet("team", out _));
        await bob.SendJsonAsync(new Dictionary<string, object> { ["command"] = "leave", ["sub_id"] = "team" }, cts.Token);
        Assert.Equal("left", (await bob.ReadFrameAsync(cts.Token)).Command());
        Assert.False(server.Rooms.TryGet("team", out _));
        Assert.DoesNotContain(server.Rooms.Rooms, r => r.Name != RoomDirectory.GlobalRoom);
        Assert.Equal(0, server.Log.Reads("nobody-here"));
    }

    internal static async Task<TestClient> ConnectWithRoomsAsync(TestServer server, string userId, (string Room, long? LastSeq)[] rooms, CancellationToken cancellationToken)
    {
        TestClient client = await TestClient.OpenAsync(server.EndPoint, cancellationToken);
        var list = rooms.Select(r => r.LastSeq is long seq
            ? new Dictionary<string, object> { ["sub_id"] = r.Room, ["last_seq"] = seq }
            : new Dictionary<string, object> { ["sub_id"] = r.Room }).ToList();
        await client.SendJsonAsync(
            new Dictionary<string, object> { ["command"] = "connection", ["id"] = userId, ["token"] = server.IssueToken(userId), ["sub_id"] = "", ["rooms"] = list },
            cancellationToken);
        JsonElement reply = await client.ReadFrameAsync(cancellationToken);
        Assert.True(reply.GetProperty("condition").GetBoolean(), reply.ToString());
        return client;
    }

    /// <summary>The next <paramref name="count"/> broadcasts of any room (rooms interleave in no set order; each room's seqs do).</summary>
    private static async Task<List<(string Room, long Seq)>> ReadAnyRoomAsync(TestClient client, int count, CancellationToken cancellationToken)
    {
        var got = new List<(string, long)>();
        while (got.Count < count)
        {
            JsonElement frame = await client.ReadFrameAsync(cancellationToken);
            Assert.Equal("send_broadcast_message", frame.Command());
            JsonElement message = frame.GetProperty("message");
            got.Add((message.GetProperty("sub_id").GetString()!, message.GetProperty("seq").GetInt64()));
        }

        return got;
    }

    private static (string, string, long) Reply(JsonElement frame) =>
        (frame.Command(), frame.GetProperty("sub_id").GetString()!, frame.GetProperty("seq").GetInt64());
}
