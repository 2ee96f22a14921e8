using System.Text.Json.Nodes;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>A connected, authenticated TCP client that collects broadcasts by seq.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly TestFrameClient _frames;

    private ChatClient(string userId, TestFrameClient frames, JsonObject connectReply)
    {
        UserId = userId;
        _frames = frames;
        ConnectReply = connectReply;
    }

    public string UserId { get; }

    public JsonObject ConnectReply { get; }

    /// <summary>Every broadcast received, in arrival order.</summary>
    public List<Broadcast> Received { get; } = [];

    /// <summary>Every <c>recovery</c> frame received, with the number of broadcasts received before it.</summary>
    public List<(JsonObject Frame, int After)> Recoveries { get; } = [];

    public static async Task<ChatClient> ConnectAsync(int port, string userId, string token, CancellationToken cancellationToken, long? lastSeq = null, string? tlsCaPath = null)
    {
        TestFrameClient frames = await TestFrameClient.ConnectAsync("127.0.0.1", port, cancellationToken, tlsCaPath);
        var connect = new JsonObject { ["command"] = "connection", ["id"] = userId, ["token"] = token, ["sub_id"] = "" };
        if (lastSeq is not null)
        {
            connect["last_seq"] = lastSeq;
        }

        await frames.SendAsync(connect, cancellationToken);
        JsonObject reply = await frames.ReceiveAsync(cancellationToken) ?? throw new InvalidOperationException("closed during handshake");
        Assert.Equal("connection", (string?)reply["command"]);
        Assert.True((bool?)reply["condition"] == true, "handshake refused: " + reply.ToJsonString());
        return new ChatClient(userId, frames, reply);
    }

    /// <summary>Receives broadcasts until <paramref name="count"/> have arrived in total; answers pings.</summary>
    public async Task ReceiveUntilAsync(int count, CancellationToken cancellationToken)
    {
        while (Received.Count < count)
        {
            JsonObject frame = await _frames.ReceiveAsync(cancellationToken) ?? throw new InvalidOperationException($"{UserId}: connection closed after {Received.Count} broadcasts");
            string? command = (string?)frame["command"];
            if (command == "send_broadcast_message")
            {
                JsonNode message = frame["message"]!;
                Received.Add(new Broadcast((long)message["seq"]!, (string)message["id"]!, (string)message["data"]!, Guid.Parse((string)message["message_id"]!), (string)message["sub_id"]!));
            }
            else if (command == "recovery")
            {
                Recoveries.Add((frame, Received.Count));
            }
            else if (command == "heartbeat:ping")
            {
                await _frames.SendAsync(new { command = "heartbeat:pong" }, cancellationToken);
            }
        }
    }

    /// <summary>Receives until the server closes the connection, keeping broadcasts that arrive before it.</summary>
    public async Task ReceiveUntilClosedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReceiveUntilAsync(int.MaxValue, cancellationToken);
        }
        catch (InvalidOperationException)
        {
        }
        catch (IOException)
        {
        }
    }

    public ValueTask DisposeAsync() => _frames.DisposeAsync();
}

public sealed record Broadcast(long Seq, string Sender, string Data, Guid MessageId, string Room);
