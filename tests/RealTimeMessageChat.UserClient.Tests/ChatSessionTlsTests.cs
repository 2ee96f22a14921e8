using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.UserClient.Api;
using RealTimeMessageChat.UserClient.Options;
using RealTimeMessageChat.UserClient.Session;
using RealTimeMessageChat.UserClient.Tests.Fakes;

namespace RealTimeMessageChat.UserClient.Tests;

/// <summary><c>use_ssl</c>: the client checks the MainServer's certificate and never talks to one it cannot trust.</summary>
public sealed class ChatSessionTlsTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();
    private readonly FakeChatServer _server = FakeChatServer.Start();
    private readonly FakeRestApi _rest = new();
    private readonly CapturingOutput _output = new();
    private readonly Channel<string> _input = Channel.CreateUnbounded<string>();

    [Fact]
    public async Task UseSslWithCaPath_ConnectsOverTlsAndPrintsBroadcasts()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct, caPath: _pki.CaPath);

        await using FakeServerPeer peer = await _server.AcceptTlsAsync(_pki, ct);
        JsonObject hello = await peer.ReceiveCommandAsync("connection", ct);
        await peer.AcceptConnectionAsync("s1", lastSeq: 0, ct);
        await peer.BroadcastAsync(1, "bob", "over tls", ct);

        Assert.Equal("tok-1", (string?)hello["token"]);
        Assert.Contains("over TLS", await _output.WaitForStatusAsync("Connected", ct));
        Assert.Equal("[1] bob: over tls", await _output.NextMessageAsync(ct));
        _input.Writer.TryWrite("/quit");
        Assert.Equal(0, await run.WaitAsync(ct));
        Assert.Null(await peer.ReceiveAsync(ct));
    }

    [Fact]
    public async Task UseSslWithServerName_SendsItAsSniAndChecksIt()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct, caPath: _pki.CaPath, serverName: "localhost");

        await using FakeServerPeer peer = await _server.AcceptTlsAsync(_pki, ct);
        await peer.ReceiveCommandAsync("connection", ct);

        Assert.Equal("localhost", peer.Tls!.TargetHostName);
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TestTimeouts.Short, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UseSslWithoutCaPath_RefusesTheUntrustedCertificateAndExitsWithOne()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        Task<int> run = StartSession(cts.Token);
        Task<FakeServerPeer> accepted = _server.AcceptTlsAsync(_pki, cts.Token);

        Assert.Equal(1, await run.WaitAsync(cts.Token));
        string error = await _output.WaitForStatusAsync("Error", cts.Token);
        Assert.Contains("TLS certificate was refused", error);
        Assert.Contains("ssl_ca_path", error);
        await AssertNoFrameArrivesAsync(accepted);
    }

    [Fact]
    public async Task UseSslWithAnotherCa_RefusesAndExitsWithOne()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using TestPki stranger = TestPki.Create("Stranger");
        Task<int> run = StartSession(cts.Token, caPath: stranger.CaPath);
        Task<FakeServerPeer> accepted = _server.AcceptTlsAsync(_pki, cts.Token);

        Assert.Equal(1, await run.WaitAsync(cts.Token));
        Assert.Contains("chains neither to a trusted root nor to a CA of ssl_ca_path", await _output.WaitForStatusAsync("Error", cts.Token));
        await AssertNoFrameArrivesAsync(accepted);
    }

    [Fact]
    public async Task UseSslWithAnotherServerName_RefusesAndExitsWithOne()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        Task<int> run = StartSession(cts.Token, caPath: _pki.CaPath, serverName: "chat.example.org");
        Task<FakeServerPeer> accepted = _server.AcceptTlsAsync(_pki, cts.Token);

        Assert.Equal(1, await run.WaitAsync(cts.Token));
        Assert.Contains("not issued for 'chat.example.org'", await _output.WaitForStatusAsync("Error", cts.Token));
        await AssertNoFrameArrivesAsync(accepted);
    }

    [Fact]
    public async Task UseSslAgainstAPlaintextServer_FailsTheConnectionAndRetries()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        CancellationToken ct = cts.Token;
        Task<int> run = StartSession(ct, caPath: _pki.CaPath);

        // Not a certificate problem: a server that may come back right, so the client keeps trying.
        await using (FakeServerPeer plaintext = await _server.AcceptAsync(ct))
        {
            plaintext.Abort();
        }

        await _output.WaitForStatusAsync("Connection failed", ct);
        await using FakeServerPeer second = await _server.AcceptTlsAsync(_pki, ct);
        await second.ReceiveCommandAsync("connection", ct);

        Assert.False(run.IsCompleted);
        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TestTimeouts.Short, TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// The client sent nothing over the connection it refused. In TLS 1.3 the server's side of the
    /// handshake ends before the client has checked the certificate, so the accept may succeed;
    /// the client's alert then ends the connection before any frame.
    /// </summary>
    private static async Task AssertNoFrameArrivesAsync(Task<FakeServerPeer> accepted)
    {
        FakeServerPeer peer;
        try
        {
            peer = await accepted;
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException)
        {
            return;
        }

        await using (peer)
        {
            using var cts = TestTimeouts.Create(TestTimeouts.Short);
            JsonObject? frame = null;
            try
            {
                frame = await peer.ReceiveAsync(cts.Token);
            }
            catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException)
            {
            }

            Assert.Null(frame);
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _rest.Dispose();
        _pki.Dispose();
    }

    private Task<int> StartSession(CancellationToken cancellationToken, string? caPath = null, string? serverName = null)
    {
        var options = new UserClientOptions
        {
            ServerHost = "127.0.0.1",
            ServerPort = _server.Port,
            RestApiUrl = "http://rest.test",
            ReconnectIntervalSec = 0.05,
            User = "alice",
            UseSsl = true,
            SslCaPath = caPath,
            SslServerName = serverName,
        };
        var api = new ChatApiClient(_rest.CreateClient(), "alice", "password1", NullLogger<ChatApiClient>.Instance);
        var session = new ChatSession(options, api, _output, NullLogger<ChatSession>.Instance);
        return session.RunAsync(_input.Reader, cancellationToken);
    }
}
