using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using RealTimeMessageChat.Protocol.Toolkit;
using Xunit;

namespace RealTimeMessageChat.TestUtilities;

/// <summary>
/// A client of the C++ toolkit's protocol, written from shared/legacy-toolkit/WIRE.md: Connection
/// and Message frames through <see cref="ToolkitFrameCodec"/>, the way the original UserClient talks.
/// Over a plain socket (<see cref="OpenAsync"/>) or any stream, a TLS one say (<see cref="Over"/>).
/// </summary>
public sealed class ToolkitTestClient : IAsyncDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[64 * 1024];
    private int _count;

    private ToolkitTestClient(Stream stream) => _stream = stream;

    public static async Task<ToolkitTestClient> OpenAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, cancellationToken);
        return new ToolkitTestClient(new NetworkStream(socket, ownsSocket: true));
    }

    /// <summary>A client on a connected stream, which it owns from now on.</summary>
    public static ToolkitTestClient Over(Stream stream) => new(stream);

    /// <summary>The original client's first frame (key order as it sends it), compressed as it compresses.</summary>
    public Task SendConnectionAsync(string title, string subId, string registeredKey, CancellationToken cancellationToken)
    {
        string json = $$"""{"id":"{{title}}","sub_id":"{{subId}}","registered_key":"{{registeredKey}}","condition":true}""";
        return SendRawAsync(ToolkitFrameCodec.Encode(ToolkitMode.Connection, Encoding.UTF8.GetBytes(json), compress: true), cancellationToken);
    }

    public Task SendMessageAsync(string data, CancellationToken cancellationToken) =>
        SendRawAsync(ToolkitFrameCodec.Encode(ToolkitMode.Message, Encoding.UTF8.GetBytes(data), compress: true), cancellationToken);

    public async Task SendRawAsync(byte[] bytes, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(bytes, cancellationToken);

    /// <summary>
    /// Whether the body of the frame <see cref="ReadFrameAsync"/> returned last was LZ4 chunks: an
    /// uncompressed body starts with the toolkit's "no chunk" marker, the u64 1 (WIRE.md).
    /// </summary>
    public bool LastFrameWasCompressed { get; private set; }

    /// <summary>The next frame; throws <see cref="EndOfStreamException"/> when the server closed the connection.</summary>
    public async Task<ToolkitFrame> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var pending = new ReadOnlySequence<byte>(_buffer, 0, _count);
            if (ToolkitFrameCodec.TryReadFrame(ref pending, ToolkitLimits.Default, out ToolkitFrame frame))
            {
                // The frame began at offset 0 (the server sends no garbage): start code, u64 length, body.
                LastFrameWasCompressed = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(12, 8)) != 1;
                int rest = (int)pending.Length;
                Buffer.BlockCopy(_buffer, _count - rest, _buffer, 0, rest);
                _count = rest;
                return frame;
            }

            if (_count == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            int n = await _stream.ReadAsync(_buffer.AsMemory(_count), cancellationToken);
            if (n == 0)
            {
                throw new EndOfStreamException("The server closed the connection.");
            }

            _count += n;
        }
    }

    public async Task<JsonElement> ReadJsonAsync(ToolkitMode expectedMode, CancellationToken cancellationToken)
    {
        ToolkitFrame frame = await ReadFrameAsync(cancellationToken);
        Assert.Equal(expectedMode, frame.Mode);
        using JsonDocument document = JsonDocument.Parse(frame.Data);
        return document.RootElement.Clone();
    }

    /// <summary>Broadcast seqs until <paramref name="count"/> arrived; answers heartbeat pings on the way.</summary>
    public async Task<List<long>> ReadBroadcastSeqsAsync(int count, CancellationToken cancellationToken)
    {
        var seqs = new List<long>(count);
        while (seqs.Count < count)
        {
            ToolkitFrame frame = await ReadFrameAsync(cancellationToken);
            Assert.Equal(ToolkitMode.Message, frame.Mode);
            if (frame.Data.AsSpan().StartsWith(ToolkitMessages.HeartbeatPingUtf8))
            {
                await SendMessageAsync(ToolkitMessages.HeartbeatPong, cancellationToken);
                continue;
            }

            using JsonDocument document = JsonDocument.Parse(frame.Data);
            JsonElement root = document.RootElement;
            Assert.Equal("send_broadcast_message", root.GetProperty("command").GetString());
            seqs.Add(root.GetProperty("message").GetProperty("seq").GetInt64());
        }

        return seqs;
    }

    /// <summary>True when the server closed the connection before anything else arrived.</summary>
    public async Task<bool> IsClosedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadFrameAsync(cancellationToken);
            return false;
        }
        catch (EndOfStreamException)
        {
            return true;
        }
        catch (IOException)
        {
            // A reset: NetworkStream wraps the SocketException.
            return true;
        }
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
