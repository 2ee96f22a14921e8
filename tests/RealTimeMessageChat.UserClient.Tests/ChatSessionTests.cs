using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.UserClient.Api;
using RealTimeMessageChat.UserClient.Options;
using RealTimeMessageChat.UserClient.Session;
using RealTimeMessageChat.UserClient.Tests.Fakes;

namespace RealTimeMessageChat.UserClient.Tests;

public sealed partial class ChatSessionTests : IDisposable
{
    private readonly FakeChatServer _server = FakeChatServer.Start();
    private readonly FakeRestApi _rest = new();
    private readonly CapturingOutput _output = new();
    private readonly Channel<string> _input = Channel.CreateUnbounded<string>();

    [Fact]
    public async Task RunAsync_BroadcastsAndServerDrop_PrintsOnceAndResumesAfterLastPrinted()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct);

        await using (FakeServerPeer first = await _server.AcceptAsync(ct))
        {
            JsonObject hello = await first.ReceiveCommandAsync("connection", ct);
            Assert.Equal("alice", (string?)hello["id"]);
            Assert.Equal("tok-1", (string?)hello["token"]);
            Assert.Equal("", (string?)hello["sub_id"]);
            Assert.False(hello.ContainsKey("last_seq"));
            await first.AcceptConnectionAsync("s1", lastSeq: 0, ct);
            await first.BroadcastAsync(1, "bob", "hello", ct);
            await first.BroadcastAsync(2, "alice", "hi bob", ct);
            await first.BroadcastAsync(2, "alice", "hi bob", ct);
            await first.BroadcastAsync(3, "bob", "third", ct);

            Assert.Equal("[1] bob: hello", await _output.NextMessageAsync(ct));
            Assert.Equal("[2] alice: hi bob", await _output.NextMessageAsync(ct));
            Assert.Equal("[3] bob: third", await _output.NextMessageAsync(ct));
            first.Abort();
        }

        await using FakeServerPeer second = await _server.AcceptAsync(ct);
        JsonObject resumed = await second.ReceiveCommandAsync("connection", ct);
        await second.AcceptConnectionAsync("s2", lastSeq: 4, ct);
        await second.BroadcastAsync(3, "bob", "third", ct);
        await second.BroadcastAsync(4, "carol", "missed while away", ct);

        Assert.Equal(3L, (long?)resumed["last_seq"]);
        Assert.Equal("[4] carol: missed while away", await _output.NextMessageAsync(ct));
        _input.Writer.TryWrite("/quit");
        Assert.Equal(0, await run.WaitAsync(ct));
        Assert.False(_output.TryTakeMessage(out _));
        Assert.Equal(1, _rest.Logins);
    }

    [Fact]
    public async Task RunAsync_RecoveryFrame_PrintsWhichMessagesAreLostAndGoesOn()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct, lastSeq: 5);

        await using FakeServerPeer peer = await _server.AcceptAsync(ct);
        await peer.ReceiveCommandAsync("connection", ct);
        await peer.AcceptConnectionAsync("s1", lastSeq: 40, ct);
        await peer.SendAsync(new { command = "recovery", sub_id = "", recovered = false, from_seq = 6, to_seq = 30 }, ct);
        await peer.BroadcastAsync(31, "bob", "after the gap", ct);

        Assert.Equal("Messages 6 to 30 of room '' are lost: the server no longer has them.", await _output.WaitForStatusAsync("are lost", ct));
        Assert.Equal("[31] bob: after the gap", await _output.NextMessageAsync(ct));
        _input.Writer.TryWrite("/quit");
        Assert.Equal(0, await run.WaitAsync(ct));
    }

    [Fact]
    public async Task RunAsync_LastSeqGiven_FirstConnectAsksForReplay()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct, lastSeq: 5);

        await using FakeServerPeer peer = await _server.AcceptAsync(ct);
        JsonObject hello = await peer.ReceiveCommandAsync("connection", ct);
        await peer.AcceptConnectionAsync("s1", lastSeq: 7, ct);
        await peer.BroadcastAsync(5, "bob", "already seen", ct);
        await peer.BroadcastAsync(6, "bob", "six", ct);

        Assert.Equal(5L, (long?)hello["last_seq"]);
        Assert.Equal("[6] bob: six", await _output.NextMessageAsync(ct));
        _input.Writer.TryWrite("/quit");
        Assert.Equal(0, await run.WaitAsync(ct));
    }

    [Fact]
    public async Task RunAsync_ConnectionRefused_LogsInAgainAndRetries()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct);

        await using (FakeServerPeer first = await _server.AcceptAsync(ct))
        {
            await first.ReceiveCommandAsync("connection", ct);
            await first.SendAsync(new { command = "connection", condition = false, error = "token expired" }, ct);
        }

        await using FakeServerPeer second = await _server.AcceptAsync(ct);
        JsonObject hello = await second.ReceiveCommandAsync("connection", ct);

        Assert.Equal("tok-2", (string?)hello["token"]);
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TestTimeouts.Short, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_ServerEndsTheSession_SaysSoAndExitsWithThreeWithoutReconnecting()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct);

        await using (FakeServerPeer peer = await _server.AcceptAsync(ct))
        {
            await peer.ReceiveCommandAsync("connection", ct);
            await peer.AcceptConnectionAsync("s1", lastSeq: 0, ct);
            await peer.SendAsync(new { command = "error", message = "session ended: logout" }, ct);
        }

        Assert.Equal(3, await run.WaitAsync(ct));
        Assert.Contains("The server ended this session (session ended: logout); not reconnecting.", await _output.WaitForStatusAsync("ended this session", ct), StringComparison.Ordinal);
        Assert.Equal(1, _rest.Logins);
    }

    [Fact]
    public async Task RunAsync_HandshakeRefusedForAnEndedSession_LogsInAgainInsteadOfRetryingTheDeadToken()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct);

        await using (FakeServerPeer peer = await _server.AcceptAsync(ct))
        {
            await peer.ReceiveCommandAsync("connection", ct);
            await peer.SendAsync(new { command = "connection", condition = false, error = "session ended" }, ct);
        }

        await using FakeServerPeer second = await _server.AcceptAsync(ct);
        JsonObject hello = await second.ReceiveCommandAsync("connection", ct);

        Assert.Equal("tok-2", (string?)hello["token"]);
        await _output.WaitForStatusAsync("no longer knows this session", ct);
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TestTimeouts.Short, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_PingStatusAndTypedLine_AnswersPongSendsStatusAndPublishes()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct);
        await using FakeServerPeer peer = await _server.AcceptAsync(ct);
        await peer.ReceiveCommandAsync("connection", ct);
        await peer.AcceptConnectionAsync("session-7", lastSeq: 0, ct);
        await _output.WaitForStatusAsync("Connected", ct);

        await peer.SendAsync(new { command = "heartbeat:ping" }, ct);
        await peer.ReceiveCommandAsync("heartbeat:pong", ct);
        _input.Writer.TryWrite("");
        _input.Writer.TryWrite("hello world");
        _input.Writer.TryWrite("/status away");
        JsonObject status = await peer.ReceiveCommandAsync("request_client_status_update", ct);
        await peer.SendAsync(new { command = "update_user_clinet_status", message = "away" }, ct);
        await peer.SendAsync(new { command = "error", message = "unknown command 'x'" }, ct);
        RecordedRequest publish = await _rest.FirstPublish.Task.WaitAsync(ct);

        Assert.Equal("away", (string?)status["message"]);
        Assert.Equal("alice", (string?)status["id"]);
        Assert.Equal("session-7", (string?)status["sub_id"]);
        Assert.Contains("away", await _output.WaitForStatusAsync("Status:", ct));
        Assert.Contains("unknown command 'x'", await _output.WaitForStatusAsync("Server error", ct));
        Assert.Equal("Bearer tok-1", publish.Authorization);
        Assert.Equal("hello world", (string?)publish.Body?["content"]);
        Assert.Single(_rest.Requests, r => r.Path == "/publishMessage");
        _input.Writer.TryWrite("/quit");
        Assert.Equal(0, await run.WaitAsync(ct));
    }

    [Fact]
    public async Task RunAsync_InputEnds_KeepsPrintingUntilCancelled()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct);
        await using FakeServerPeer peer = await _server.AcceptAsync(ct);
        await peer.ReceiveCommandAsync("connection", ct);
        await peer.AcceptConnectionAsync("s1", lastSeq: 0, ct);

        _input.Writer.TryComplete();
        await peer.BroadcastAsync(1, "bob", "after eof", ct);

        Assert.Equal("[1] bob: after eof", await _output.NextMessageAsync(ct));
        Assert.False(run.IsCompleted);
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TestTimeouts.Short, TestContext.Current.CancellationToken));
        using var closeTimeout = TestTimeouts.Create(TestTimeouts.Short);
        Assert.Null(await peer.ReceiveAsync(closeTimeout.Token));
    }

    [Fact]
    public async Task RunAsync_WrongPassword_ExitsWithOne()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _rest.LoginAnswer = System.Net.HttpStatusCode.Unauthorized;

        int exitCode = await StartSession(cts.Token).WaitAsync(cts.Token);

        Assert.Equal(1, exitCode);
        Assert.Contains("Invalid credentials", await _output.WaitForStatusAsync("Error", cts.Token));
    }

    [Fact]
    public async Task RunAsync_RegisterWhenAccountExists_LogsInAndConnects()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        _rest.RegisterAnswer = System.Net.HttpStatusCode.Conflict;
        Task<int> run = StartSession(ct, register: true);

        await using FakeServerPeer peer = await _server.AcceptAsync(ct);
        JsonObject hello = await peer.ReceiveCommandAsync("connection", ct);

        Assert.Equal("tok-1", (string?)hello["token"]);
        Assert.Equal(["/api/v1/users", "/api/v1/auth/login"], _rest.Requests.Select(r => r.Path));
        Assert.Equal("alice", (string?)_rest.Requests.First().Body?["user_id"]);
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TestTimeouts.Short, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_ServerSilentForThreeHeartbeats_PingsThenReconnects()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct, heartbeatIntervalSec: 0.1);

        await using (FakeServerPeer silent = await _server.AcceptAsync(ct))
        {
            await silent.ReceiveCommandAsync("connection", ct);
            await silent.AcceptConnectionAsync("s1", lastSeq: 0, ct);
            await silent.ReceiveCommandAsync("heartbeat:ping", ct);

            Assert.Null(await ReceiveUntilClosedAsync(silent, ct));
        }

        await using FakeServerPeer second = await _server.AcceptAsync(ct);
        JsonObject hello = await second.ReceiveCommandAsync("connection", ct);

        Assert.Equal(0L, (long?)hello["last_seq"]);
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TestTimeouts.Short, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_ServerNotListeningYet_RetriesUntilItIs()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        int port = _server.Port;
        _server.Dispose();
        Task<int> run = StartSession(ct, port: port);
        await _output.WaitForStatusAsync("Connection failed", ct);
        await _output.WaitForStatusAsync("Connection failed", ct);

        using FakeChatServer restarted = FakeChatServer.Start(port);
        await using FakeServerPeer peer = await restarted.AcceptAsync(ct);
        await peer.ReceiveCommandAsync("connection", ct);
        await peer.AcceptConnectionAsync("s1", lastSeq: 0, ct);

        await _output.WaitForStatusAsync("Connected", ct);
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TestTimeouts.Short, TestContext.Current.CancellationToken));
    }

    public void Dispose()
    {
        _server.Dispose();
        _rest.Dispose();
    }

    private Task<int> StartSession(CancellationToken cancellationToken, long? lastSeq = null, bool register = false, double heartbeatIntervalSec = 30, int? port = null)
    {
        var options = new UserClientOptions
        {
            ServerHost = "127.0.0.1",
            ServerPort = port ?? _server.Port,
            RestApiUrl = "http://rest.test",
            ReconnectIntervalSec = 0.05,
            HeartbeatIntervalSec = heartbeatIntervalSec,
            User = "alice",
            LastSeq = lastSeq,
            Register = register,
        };
        var api = new ChatApiClient(_rest.CreateClient(), "alice", "password1", NullLogger<ChatApiClient>.Instance);
        var session = new ChatSession(options, api, _output, NullLogger<ChatSession>.Instance);
        return session.RunAsync(_input.Reader, cancellationToken);
    }

    /// <summary>Null once the client closed the connection; pings before that are skipped.</summary>
    private static async Task<JsonObject?> ReceiveUntilClosedAsync(FakeServerPeer peer, CancellationToken cancellationToken)
    {
        while (await peer.ReceiveAsync(cancellationToken) is { } frame)
        {
            if ((string?)frame["command"] != "heartbeat:ping")
            {
                return frame;
            }
        }

        return null;
    }
}
