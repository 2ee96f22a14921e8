using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text.Json;
using RealTimeMessageChat.MainServer.Networking;
using RealTimeMessageChat.MainServer.Tests.Support;
using RealTimeMessageChat.Protocol.Toolkit;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.MainServer.Tests;

/// <summary><c>use_ssl</c> (issue 9, section 3): the MainServer's listener speaking TLS 1.2 and 1.3 only.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task ClientTrustingTheCa_CompletesTheHandshakeAuthenticatesAndGetsBroadcasts(SslProtocols protocol)
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartTlsServerAsync(cts.Token);

        await using TestClient client = await server.AuthenticateAsync(
            await TestClient.OpenTlsAsync(server.EndPoint, _pki.TrustRootOnly(), cts.Token, protocol), "alice", cts.Token);
        server.Log.Append("one");
        server.Log.Append("two");

        Assert.Equal(protocol, client.Tls!.SslProtocol);
        Assert.Equal([1L, 2L], await client.ReadBroadcastSeqsAsync(2, cts.Token));
        await client.AssertNothingPendingAsync(cts.Token);
        Assert.IsType<TlsTransport>(Assert.Single(server.Registry.Snapshot()).Transport);
    }

    [Fact]
    public async Task ManyBroadcastsLargerThanOneWrite_ArriveWholeAndInOrder()
    {
        const int Count = 400;
        using CancellationTokenSource cts = TestTimeout.Start(30);
        await using TestServer server = await StartTlsServerAsync(cts.Token);
        await using TestClient client = await server.AuthenticateAsync(
            await TestClient.OpenTlsAsync(server.EndPoint, _pki.TrustRootOnly(), cts.Token), "alice", cts.Token);

        // 400 frames of about 1.5 KiB: batches well past TlsTransport.MaxWriteBytes, cut mid-frame.
        string content = new('x', 1500);
        for (int i = 0; i < Count; i++)
        {
            server.Log.Append(content);
        }

        Assert.Equal(FrameAssertions.Range(1, Count), await client.ReadBroadcastSeqsAsync(Count, cts.Token));
        await client.AssertNothingPendingAsync(cts.Token);
    }

    [Fact]
    public async Task ClientNotTrustingTheCa_FailsValidation_AndTheServerCarriesOn()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartTlsServerAsync(cts.Token);
        using TestPki stranger = TestPki.Create("Stranger");

        // The system's roots, then another CA: neither issued the server's certificate.
        await Assert.ThrowsAsync<AuthenticationException>(() => TestClient.OpenTlsAsync(server.EndPoint, trust: null, cts.Token));
        await Assert.ThrowsAsync<AuthenticationException>(() => TestClient.OpenTlsAsync(server.EndPoint, stranger.TrustRootOnly(), cts.Token));

        await using TestClient client = await server.AuthenticateAsync(
            await TestClient.OpenTlsAsync(server.EndPoint, _pki.TrustRootOnly(), cts.Token), "alice", cts.Token);
        server.Log.Append("still here");
        Assert.Equal([1L], await client.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    [Fact]
    public async Task ClientAskingForAnotherName_FailsValidation()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartTlsServerAsync(cts.Token);

        await Assert.ThrowsAsync<AuthenticationException>(
            () => TestClient.OpenTlsAsync(server.EndPoint, _pki.TrustRootOnly(), cts.Token, targetHost: "chat.example.org"));
    }

    [Fact]
    public async Task PlaintextClientOnTheTlsPort_IsDisconnected_AndOthersKeepBeingServed()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartTlsServerAsync(cts.Token);
        await using TestClient bystander = await server.AuthenticateAsync(
            await TestClient.OpenTlsAsync(server.EndPoint, _pki.TrustRootOnly(), cts.Token), "alice", cts.Token);
        using Socket plaintext = await ConnectRawAsync(server.EndPoint, cts.Token);

        // A well-formed connection frame, in the clear.
        byte[] frame = Protocol.FrameCodec.Encode(JsonSerializer.SerializeToUtf8Bytes(
            new { command = "connection", id = "bob", token = server.IssueToken("bob"), sub_id = "" }));
        await plaintext.SendAsync(frame, SocketFlags.None, cts.Token);
        byte[] answer = await ReadUntilClosedAsync(plaintext, cts.Token);
        server.Log.Append("after the plaintext client");

        // Whatever came back (a TLS alert at most) was no frame of ours.
        Assert.True(answer.Length == 0 || answer[0] == TlsAlert, Convert.ToHexString(answer));
        Assert.Equal([1L], await bystander.ReadBroadcastSeqsAsync(1, cts.Token));
        await bystander.AssertNothingPendingAsync(cts.Token);
        await WaitForConnectionsAsync(server, 1, cts.Token);
    }

    [Fact]
    public async Task Tls11ClientHello_IsRefused()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartTlsServerAsync(cts.Token);
        using Socket client = await ConnectRawAsync(server.EndPoint, cts.Token);

        // Written by hand: a client's own TLS library may refuse to offer 1.1 before the server sees it.
        await client.SendAsync(ClientHello(version: 0x0302), SocketFlags.None, cts.Token);
        byte[] answer = await ReadUntilClosedAsync(client, cts.Token);

        // No ServerHello (a handshake record, 0x16): a fatal protocol_version alert, then the close.
        Assert.True(answer.Length >= 7, Convert.ToHexString(answer));
        Assert.Equal(TlsAlert, answer[0]);
        Assert.Equal(2, answer[5]);
        Assert.Equal(ProtocolVersionAlert, answer[6]);
        await WaitForConnectionsAsync(server, 0, cts.Token);
    }

    [Fact]
    public async Task Tls12ClientHello_WrittenTheSameWay_IsAnswered()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartTlsServerAsync(cts.Token);
        using Socket client = await ConnectRawAsync(server.EndPoint, cts.Token);

        // The control for the test above: the same hand-written hello, offering 1.2, gets a ServerHello.
        await client.SendAsync(ClientHello(version: 0x0303), SocketFlags.None, cts.Token);
        var header = new byte[1];
        int read = await client.ReceiveAsync(header, SocketFlags.None, cts.Token);

        Assert.Equal(1, read);
        Assert.Equal(TlsHandshake, header[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1603010200")]
    public async Task HandshakeNeverStartedOrNeverFinished_IsClosedWithinTheTimeout(string hex)
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartTlsServerAsync(cts.Token, ("handshake_timeout_sec", "1"));
        using Socket client = await ConnectRawAsync(server.EndPoint, cts.Token);
        var stopwatch = Stopwatch.StartNew();

        // Nothing, or the header of a ClientHello whose body never comes.
        if (hex.Length > 0)
        {
            await client.SendAsync(Convert.FromHexString(hex), SocketFlags.None, cts.Token);
        }

        byte[] answer = await ReadUntilClosedAsync(client, cts.Token);

        // The shared timer ticks once a second: closed after one to two seconds.
        Assert.Empty(answer);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        await WaitForConnectionsAsync(server, 0, cts.Token);
    }

    [Fact]
    public async Task ToolkitClientOverTls_IsChosenByTheFirstDecryptedByte()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartTlsServerAsync(cts.Token);
        await using ToolkitTestClient legacy = ToolkitTestClient.Over(await TestClient.ConnectTlsAsync(server.EndPoint, _pki.TrustRootOnly(), cts.Token));

        await legacy.SendConnectionAsync("UserClient", string.Empty, "MainServer", cts.Token);
        JsonElement reply = await legacy.ReadJsonAsync(ToolkitMode.Connection, cts.Token);
        server.Log.Append("to everyone", sender: "bob");

        Assert.True(reply.GetProperty("condition").GetBoolean());
        Assert.Equal([1L], await legacy.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    [Fact]
    public async Task BadFrameOverTls_GetsTheErrorFrameThenTheClose()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartTlsServerAsync(cts.Token);
        await using TestClient client = await server.AuthenticateAsync(
            await TestClient.OpenTlsAsync(server.EndPoint, _pki.TrustRootOnly(), cts.Token), "alice", cts.Token);

        await client.SendRawAsync([0, 0, 0, 0], cts.Token);
        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        Assert.Equal("error", Assert.Single(frames).Command());
    }

    [Fact]
    public async Task PlaintextServer_StillUsesTheSocketTransport()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await server.ConnectClientAsync("alice", cts.Token);

        Assert.IsType<SocketTransport>(Assert.Single(server.Registry.Snapshot()).Transport);
    }

    [Fact]
    public void Fill_CopiesAcrossSegmentsAndChunks_ByteForByte()
    {
        byte[][] frames = [RandomNumberGenerator.GetBytes(3), RandomNumberGenerator.GetBytes(70_000), [], RandomNumberGenerator.GetBytes(5), RandomNumberGenerator.GetBytes(TlsTransport.MaxWriteBytes)];
        List<ArraySegment<byte>> segments = [.. frames.Select(f => new ArraySegment<byte>(f))];
        byte[] expected = [.. frames.SelectMany(f => f)];
        var written = new List<byte>();
        var chunk = new byte[TlsTransport.MaxWriteBytes];
        int index = 0;
        int offset = 0;
        int chunks = 0;

        while (index < segments.Count)
        {
            int length = TlsTransport.Fill(segments, ref index, ref offset, chunk);
            written.AddRange(chunk.AsSpan(0, length).ToArray());
            chunks++;
        }

        Assert.Equal(expected, written);
        Assert.Equal((expected.Length + chunk.Length - 1) / chunk.Length, chunks);
    }

    public void Dispose() => _pki.Dispose();

    private const byte TlsHandshake = 0x16;
    private const byte TlsAlert = 0x15;
    private const byte ProtocolVersionAlert = 70;

    private Task<TestServer> StartTlsServerAsync(CancellationToken cancellationToken, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["use_ssl"] = "true",
            ["ssl_certificate_path"] = _pki.CertificatePath,
            ["ssl_key_path"] = _pki.KeyPath,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return TestServer.StartAsync(cancellationToken, settings);
    }

    private static async Task<Socket> ConnectRawAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, cancellationToken);
        return socket;
    }

    /// <summary>Every byte the server sends until it closes (FIN or reset).</summary>
    private static async Task<byte[]> ReadUntilClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, n).ToArray());
            }
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }

        return [.. received];
    }

    private static async Task WaitForConnectionsAsync(TestServer server, int count, CancellationToken cancellationToken)
    {
        while (server.Registry.Count != count)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>
    /// A minimal ClientHello for <paramref name="version"/> (0x0302 = TLS 1.1, 0x0303 = TLS 1.2)
    /// without supported_versions, so the legacy version field is the whole offer (RFC 8446, 4.1.2).
    /// </summary>
    private static byte[] ClientHello(ushort version)
    {
        byte[] suites =
        [
            0xC0, 0x2B, // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (1.2)
            0xC0, 0x09, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (1.0, 1.1)
            0xC0, 0x13, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
            0x00, 0x2F, // TLS_RSA_WITH_AES_128_CBC_SHA
        ];
        byte[] extensions =
        [
            0x00, 0x0A, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17,             // supported_groups: secp256r1
            0x00, 0x0B, 0x00, 0x02, 0x01, 0x00,                         // ec_point_formats: uncompressed
            0x00, 0x0D, 0x00, 0x06, 0x00, 0x04, 0x04, 0x03, 0x02, 0x03, // signature_algorithms: ecdsa sha256, sha1
        ];
        var body = new List<byte> { (byte)(version >> 8), (byte)version };
        body.AddRange(RandomNumberGenerator.GetBytes(32));
        body.Add(0); // no session id
        body.AddRange([(byte)(suites.Length >> 8), (byte)suites.Length, .. suites]);
        body.AddRange([1, 0]); // compression: null
        body.AddRange([(byte)(extensions.Length >> 8), (byte)extensions.Length, .. extensions]);

        var handshake = new List<byte> { 1, 0, (byte)(body.Count >> 8), (byte)body.Count };
        handshake.AddRange(body);
        var record = new List<byte> { TlsHandshake, 0x03, 0x01, (byte)(handshake.Count >> 8), (byte)handshake.Count };
        record.AddRange(handshake);
        return [.. record];
    }
}
