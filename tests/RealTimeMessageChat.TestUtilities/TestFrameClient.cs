using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.TestUtilities;

/// <summary>
/// A raw TCP client speaking the project's framing, for tests that assert on frames: send any
/// object or raw bytes, receive frames as <see cref="JsonObject"/>, see when the server closes.
/// </summary>
public sealed class TestFrameClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;

    private TestFrameClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        _reader = PipeReader.Create(_stream);
    }

    /// <param name="host">Server address.</param>
    /// <param name="port">Server port.</param>
    /// <param name="cancellationToken">Ends the connect (and the TLS handshake).</param>
    /// <param name="tlsCaPath">When set, TLS (the server's certificate checked against this CA and <paramref name="host"/>).</param>
    public static async Task<TestFrameClient> ConnectAsync(string host, int port, CancellationToken cancellationToken, string? tlsCaPath = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port, cancellationToken);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (tlsCaPath is not null)
        {
            using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(tlsCaPath));
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = host,
                    CertificateChainPolicy = new X509ChainPolicy
                    {
                        TrustMode = X509ChainTrustMode.CustomRootTrust,
                        CustomTrustStore = { ca },
                        RevocationMode = X509RevocationMode.NoCheck,
                    },
                },
                cancellationToken);
            stream = tls;
        }

        return new TestFrameClient(socket, stream);
    }

    public Task SendAsync(object frame, CancellationToken cancellationToken) =>
        SendRawAsync(FrameCodec.Encode(JsonSerializer.SerializeToUtf8Bytes(frame)), cancellationToken);

    public async Task SendRawAsync(byte[] bytes, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(bytes, cancellationToken);

    /// <summary>The next frame, or null when the server closed the connection.</summary>
    public async Task<JsonObject?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameCodec.TryReadFrame(ref buffer, 16 * 1024 * 1024, out var payload))
            {
                var frame = JsonNode.Parse(Encoding.UTF8.GetString(payload.ToArray()))!.AsObject();

                // Examined only up to this frame: more frames may already be buffered, and the
                // next ReadAsync must return them at once rather than wait for new bytes.
                _reader.AdvanceTo(buffer.Start);
                return frame;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Receives until a frame with <paramref name="command"/> arrives; other frames are skipped.</summary>
    public async Task<JsonObject> ReceiveCommandAsync(string command, CancellationToken cancellationToken)
    {
        while (true)
        {
            JsonObject frame = await ReceiveAsync(cancellationToken) ?? throw new InvalidOperationException($"Connection closed while waiting for '{command}'.");
            if ((string?)frame["command"] == command)
            {
                return frame;
            }
        }
    }

    /// <summary>True when the server closes the connection (EOF or reset) before the token fires; frames before it are skipped.</summary>
    public async Task<bool> WaitForCloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await ReceiveAsync(cancellationToken) is not null)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        _socket.Dispose();
        await _stream.DisposeAsync();
    }
}
