using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace RealTimeMessageChat.MainServer.Tests.Support;

/// <summary>A raw TCP client speaking the length-prefixed JSON frames, in plaintext or over TLS.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    private readonly Stream _stream;

    private TestClient(Stream stream) => _stream = stream;

    /// <summary>The TLS stream of a client opened with <see cref="OpenTlsAsync"/>; null for plaintext.</summary>
    public SslStream? Tls => _stream as SslStream;

    public static async Task<TestClient> OpenAsync(IPEndPoint endPoint, CancellationToken cancellationToken, int? receiveBufferSize = null)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is int size)
        {
            // Set before connecting so the advertised window stays small.
            socket.ReceiveBufferSize = size;
        }

        await socket.ConnectAsync(endPoint, cancellationToken);
        return new TestClient(new NetworkStream(socket, ownsSocket: true));
    }

    /// <summary>
    /// Connects and completes a TLS handshake for <paramref name="targetHost"/>, trusting what
    /// <paramref name="trust"/> trusts (null: the system's roots only). Throws what the handshake throws.
    /// </summary>
    public static async Task<TestClient> OpenTlsAsync(
        IPEndPoint endPoint,
        X509ChainPolicy? trust,
        CancellationToken cancellationToken,
        SslProtocols protocols = SslProtocols.None,
        string targetHost = "localhost")
    {
        return new TestClient(await ConnectTlsAsync(endPoint, trust, cancellationToken, protocols, targetHost));
    }

    /// <summary>A TLS stream to <paramref name="endPoint"/>, handshake done; see <see cref="OpenTlsAsync"/>.</summary>
    public static async Task<SslStream> ConnectTlsAsync(
        IPEndPoint endPoint,
        X509ChainPolicy? trust,
        CancellationToken cancellationToken,
        SslProtocols protocols = SslProtocols.None,
        string targetHost = "localhost")
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, cancellationToken);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = targetHost,
                    EnabledSslProtocols = protocols,
                    CertificateChainPolicy = trust,
                },
                cancellationToken);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    public Task SendConnectAsync(string userId, string token, CancellationToken cancellationToken, long? lastSeq = null)
    {
        var frame = new Dictionary<string, object?> { ["command"] = "connection", ["id"] = userId, ["token"] = token, ["sub_id"] = "" };
        if (lastSeq is long seq)
        {
            frame["last_seq"] = seq;
        }

        return SendJsonAsync(frame, cancellationToken);
    }

    public Task SendJsonAsync(object frame, CancellationToken cancellationToken) =>
        SendPayloadAsync(JsonSerializer.SerializeToUtf8Bytes(frame), cancellationToken);

    public Task SendCommandAsync(string command, CancellationToken cancellationToken) =>
        SendJsonAsync(new Dictionary<string, string> { ["command"] = command }, cancellationToken);

    public async Task SendPayloadAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        await SendRawAsync(frame, cancellationToken);
    }

    public async Task SendRawAsync(byte[] bytes, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(bytes, cancellationToken);

    /// <summary>The next frame's JSON; throws <see cref="EndOfStreamException"/> when the server closed.</summary>
    public async Task<JsonElement> ReadFrameAsync(CancellationToken cancellationToken) =>
        await TryReadFrameAsync(cancellationToken) ?? throw new EndOfStreamException("The server closed the connection.");

    /// <summary>The next frame's JSON, or null when the server closed (FIN or reset).</summary>
    public async Task<JsonElement?> TryReadFrameAsync(CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEndAsync(header, cancellationToken))
        {
            return null;
        }

        var payload = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        if (!await ReadExactlyOrEndAsync(payload, cancellationToken))
        {
            throw new EndOfStreamException("The server closed the connection mid-frame.");
        }

        using JsonDocument document = JsonDocument.Parse(payload);
        return document.RootElement.Clone();
    }

    /// <summary>Reads until the server closes; returns the frames seen on the way.</summary>
    public async Task<List<JsonElement>> ReadUntilClosedAsync(CancellationToken cancellationToken)
    {
        var frames = new List<JsonElement>();
        while (await TryReadFrameAsync(cancellationToken) is JsonElement frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            int read = 0;
            while (read < buffer.Length)
            {
                int n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return true;
        }
        catch (IOException ex) when (ex.InnerException is SocketException)
        {
            return false;
        }
    }

    public static string Describe(JsonElement frame) => Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(frame));
}
