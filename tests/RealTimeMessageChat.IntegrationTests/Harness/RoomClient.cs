using System.Text.Json.Nodes;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>A TCP client that sorts broadcasts from control frames (joined, left, room_left, typing, error); user_status is skipped.</summary>
public sealed class RoomClient : IAsyncDisposable
{
    private readonly TestFrameClient _frames;
    private readonly Queue<JsonObject> _control = new();

    private RoomClient(TestFrameClient frames) => _frames = frames;

    public List<Broadcast> Received { get; } = [];

    /// <summary>Connects and hands the server <paramref name="rooms"/> in the handshake, each live from its newest seq.</summary>
    public static Task<RoomClient> ConnectAsync(int port, string userId, string token, string[] rooms, CancellationToken ct) =>
        ResumeAsync(port, userId, token, [.. rooms.Select(r => (r, (long?)null))], ct);

    /// <summary>Connects with handshake <c>rooms</c>, each with its own <c>last_seq</c> (null: none, live from the newest).</summary>
    public static async Task<RoomClient> ResumeAsync(int port, string userId, string token, (string Room, long? LastSeq)[] rooms, CancellationToken ct)
    {
        TestFrameClient frames = await TestFrameClient.ConnectAsync("127.0.0.1", port, ct);
        var connect = new JsonObject { ["command"] = "connection", ["id"] = userId, ["token"] = token, ["sub_id"] = "" };
        if (rooms.Length > 0)
        {
            connect["rooms"] = new JsonArray([.. rooms.Select(r => (JsonNode)RoomEntry(r.Room, r.LastSeq))]);
        }

        await frames.SendAsync(connect, ct);
        JsonObject reply = await frames.ReceiveAsync(ct) ?? throw new InvalidOperationException("closed during handshake");
        Assert.True((bool?)reply["condition"] == true, "handshake refused: " + reply.ToJsonString());
        return new RoomClient(frames);
    }

    public Task SendAsync(object frame, CancellationToken ct) => _frames.SendAsync(frame, ct);

    /// <summary>Receives <paramref name="count"/> more broadcasts.</summary>
    public async Task ReceiveBroadcastsAsync(int count, CancellationToken ct)
    {
        int target = Received.Count + count;
        while (Received.Count < target)
        {
            await NextAsync(ct);
        }
    }

    public async Task<JsonObject> ReceiveControlAsync(CancellationToken ct)
    {
        while (_control.Count == 0)
        {
            await NextAsync(ct);
        }

        return _control.Dequeue();
    }

    /// <summary>A ping, and the pong next: nothing was queued for this client before it.</summary>
    public async Task AssertNothingPendingAsync(CancellationToken ct)
    {
        await _frames.SendAsync(new { command = "heartbeat:ping" }, ct);
        int before = Received.Count;
        while (true)
        {
            JsonObject frame = await _frames.ReceiveAsync(ct) ?? throw new InvalidOperationException("closed");
            string? command = (string?)frame["command"];
            if (command == "heartbeat:pong")
            {
                break;
            }

            Assert.True(command == "user_status", "unexpected frame: " + frame.ToJsonString());
        }

        Assert.Empty(_control);
        Assert.Equal(before, Received.Count);
    }

    private async Task NextAsync(CancellationToken ct)
    {
        JsonObject frame = await _frames.ReceiveAsync(ct) ?? throw new InvalidOperationException($"connection closed after {Received.Count} broadcasts");
        switch ((string?)frame["command"])
        {
            case "send_broadcast_message":
                JsonNode message = frame["message"]!;
                Received.Add(new Broadcast((long)message["seq"]!, (string)message["id"]!, (string)message["data"]!, Guid.Parse((string)message["message_id"]!), (string)message["sub_id"]!));
                break;
            case "heartbeat:ping":
                await _frames.SendAsync(new { command = "heartbeat:pong" }, ct);
                break;
            case "user_status" or "heartbeat:pong":
                break;
            default:
                _control.Enqueue(frame);
                break;
        }
    }

    /// <summary>The next control frame, which must be <paramref name="command"/> for <paramref name="room"/>.</summary>
    public async Task<JsonObject> ExpectControlAsync(string command, string room, CancellationToken ct)
    {
        JsonObject frame = await ReceiveControlAsync(ct);
        Assert.True((string?)frame["command"] == command && (string?)frame["sub_id"] == room, $"expected {command} for {room}, got {frame.ToJsonString()}");
        return frame;
    }

    public ValueTask DisposeAsync() => _frames.DisposeAsync();

    private static JsonObject RoomEntry(string room, long? lastSeq)
    {
        var entry = new JsonObject { ["sub_id"] = room };
        if (lastSeq is not null)
        {
            entry["last_seq"] = lastSeq;
        }

        return entry;
    }
}
