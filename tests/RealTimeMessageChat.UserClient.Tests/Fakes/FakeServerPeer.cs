using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.UserClient.Tests.Fakes;

/// <summary>The server side of one client connection, speaking the project's framing.</summary>
internal sealed class FakeServerPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;

    public FakeServerPeer(Socket socket)
        : this(socket, new NetworkStream(socket, ownsSocket: true))
    {
    }

    /// <summary>A peer speaking over <paramref name="stream"/> (TLS, say) on <paramref name="socket"/>; owns both.</summary>
    public FakeServerPeer(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        _reader = PipeReader.Create(_stream);
    }

    /// <summary>The TLS stream of a peer accepted with <see cref="FakeChatServer.AcceptTlsAsync"/>; null for plaintext.</summary>
    public System.Net.Security.SslStream? Tls => _stream as System.Net.Security.SslStream;

    public async Task SendAsync(object frame, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(FrameCodec.Encode(JsonSerializer.SerializeToUtf8Bytes(frame)), cancellationToken);

    public Task AcceptConnectionAsync(string sessionId, long lastSeq, CancellationToken cancellationToken) =>
        SendAsync(new { command = "connection", id = "alice", sub_id = sessionId, condition = true, key = "", iv = "", encrypt_mode = false, last_seq = lastSeq }, cancellationToken);

    public Task BroadcastAsync(long seq, string sender, string data, CancellationToken cancellationToken, string room = "") =>
        SendAsync(
            new
            {
                command = "send_broadcast_message",
                message = new { id = sender, sub_id = room, data, message_id = Guid.NewGuid(), seq, timestamp = "2026-11-22T03:00:00Z" },
            },
            cancellationToken);

    /// <summary>The next frame, or null when the client closed the connection.</summary>
    public async Task<JsonObject?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool frameRead = false;
            try
            {
                if (FrameCodec.TryReadFrame(ref buffer, FrameCodec.DefaultMaxPayloadSize, out var payload))
                {
                    frameRead = true;
                    return JsonNode.Parse(Encoding.UTF8.GetString(payload.ToArray()))!.AsObject();
                }

                if (result.IsCompleted)
                {
                    return null;
                }
            }
            finally
            {
                // Leave the rest unexamined: it may already hold the next frame.
                _reader.AdvanceTo(buffer.Start, frameRead ? buffer.Start : buffer.End);
            }
        }
    }

    /// <summary>Receives until a frame with <paramref name="command"/> arrives; heartbeats and others are skipped.</summary>
    public async Task<JsonObject> ReceiveCommandAsync(string command, CancellationToken cancellationToken)
    {
        while (true)
        {
            JsonObject frame = await ReceiveAsync(cancellationToken) ?? throw new InvalidOperationException($"Client closed while waiting for '{command}'.");
            if ((string?)frame["command"] == command)
            {
                return frame;
            }
        }
    }

    /// <summary>Drops the connection the way a restarting server does.</summary>
    public void Abort() => _socket.Close(0);

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
