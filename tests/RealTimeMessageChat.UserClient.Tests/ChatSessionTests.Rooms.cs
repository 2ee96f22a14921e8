using System.Text.Json.Nodes;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.UserClient.Tests.Fakes;

namespace RealTimeMessageChat.UserClient.Tests;

/// <summary>The session's rooms (issue 8); the fake server, API and session setup are <see cref="ChatSessionTests"/>'s.</summary>
public sealed partial class ChatSessionTests
{
    [Fact]
    public async Task Join_PrintsRoomLines_ShowsTyping_PublishesToTheRoom_ReportsReads_ResumesEachRoomOnReconnect()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct);

        await using (FakeServerPeer first = await _server.AcceptAsync(ct))
        {
            JsonObject hello = await first.ReceiveCommandAsync("connection", ct);
            Assert.False(hello.ContainsKey("rooms"));
            await first.AcceptConnectionAsync("s1", lastSeq: 0, ct);
            await _output.WaitForStatusAsync("Connected to", ct);
            _input.Writer.TryWrite("/join team");
            JsonObject join = await first.ReceiveCommandAsync("join", ct);
            Assert.Equal("team", (string?)join["sub_id"]);
            Assert.False(join.ContainsKey("last_seq"));
            await first.SendAsync(new { command = "joined", sub_id = "team", seq = 5 }, ct);
            await first.BroadcastAsync(6, "bob", "hi team", ct, room: "team");
            await first.BroadcastAsync(1, "carol", "hi all", ct);
            await first.SendAsync(new { command = "typing", sub_id = "team", id = "bob" }, ct);

            Assert.Equal("[team #6] bob: hi team", await _output.NextMessageAsync(ct));
            Assert.Equal("[1] carol: hi all", await _output.NextMessageAsync(ct));
            Assert.Contains("bob is typing in team", await _output.WaitForStatusAsync("typing", ct), StringComparison.Ordinal);

            _input.Writer.TryWrite("/room team");
            _input.Writer.TryWrite("hello team");
            RecordedRequest publish = await _rest.FirstPublish.Task.WaitAsync(ct);
            Assert.Equal("team", (string?)publish.Body?["sub_id"]);

            JsonObject read = await first.ReceiveCommandAsync("read", ct);
            JsonObject secondRead = await first.ReceiveCommandAsync("read", ct);
            var reads = new[] { read, secondRead }.ToDictionary(r => (string)r["sub_id"]!, r => (long)r["seq"]!);
            Assert.Equal(6L, reads["team"]);
            Assert.Equal(1L, reads[""]);
            first.Abort();
        }

        await using (FakeServerPeer second = await _server.AcceptAsync(ct))
        {
            JsonObject resumed = await second.ReceiveCommandAsync("connection", ct);
            JsonArray rooms = resumed["rooms"]!.AsArray();
            Assert.Equal("team", (string?)rooms.Single()!["sub_id"]);
            Assert.Equal(6L, (long?)rooms.Single()!["last_seq"]);
            await second.AcceptConnectionAsync("s2", lastSeq: 1, ct);
            await second.SendAsync(new { command = "room_left", sub_id = "team", reason = "removed" }, ct);
            Assert.Contains("no longer in room team (removed)", await _output.WaitForStatusAsync("no longer in room", ct), StringComparison.Ordinal);
            second.Abort();
        }

        await using FakeServerPeer third = await _server.AcceptAsync(ct);
        JsonObject again = await third.ReceiveCommandAsync("connection", ct);
        Assert.False(again.ContainsKey("rooms"));
        _input.Writer.TryWrite("/quit");
        Assert.Equal(0, await run.WaitAsync(ct));
    }

    [Fact]
    public async Task Rooms_Who_Dm_CallTheRestApiAndPrintTheAnswer()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct);
        await using FakeServerPeer peer = await _server.AcceptAsync(ct);
        await peer.ReceiveCommandAsync("connection", ct);
        await peer.AcceptConnectionAsync("s1", lastSeq: 0, ct);

        _input.Writer.TryWrite("/rooms");
        Assert.Contains("room_id=team name=Team visibility=public unread=2", await _output.WaitForStatusAsync("room_id=", ct), StringComparison.Ordinal);
        _input.Writer.TryWrite("/who team");
        Assert.Contains("user_id=bob online=false", await _output.WaitForStatusAsync("user_id=bob", ct), StringComparison.Ordinal);
        _input.Writer.TryWrite("/dm bob see you at noon");
        await _output.WaitForStatusAsync("Direct message to bob sent", ct);
        RecordedRequest dm = _rest.Requests.Single(r => r.Path == "/api/v1/messages/direct");
        Assert.Equal("bob", (string?)dm.Body?["to"]);
        Assert.Equal("see you at noon", (string?)dm.Body?["content"]);

        _input.Writer.TryWrite("/quit");
        Assert.Equal(0, await run.WaitAsync(ct));
    }

    [Fact]
    public async Task RefusedJoin_IsShownAndNotAskedForAgain()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct);
        await using (FakeServerPeer first = await _server.AcceptAsync(ct))
        {
            await first.ReceiveCommandAsync("connection", ct);
            await first.AcceptConnectionAsync("s1", lastSeq: 0, ct);
            await _output.WaitForStatusAsync("Connected to", ct);
            _input.Writer.TryWrite("/join secret");
            await first.ReceiveCommandAsync("join", ct);
            await first.SendAsync(new { command = "error", sub_id = "secret", message = "not a member of room \"secret\"" }, ct);
            Assert.Contains("not a member", await _output.WaitForStatusAsync("Room secret", ct), StringComparison.Ordinal);
            first.Abort();
        }

        await using FakeServerPeer second = await _server.AcceptAsync(ct);
        Assert.False((await second.ReceiveCommandAsync("connection", ct)).ContainsKey("rooms"));
        _input.Writer.TryWrite("/quit");
        Assert.Equal(0, await run.WaitAsync(ct));
    }
}
