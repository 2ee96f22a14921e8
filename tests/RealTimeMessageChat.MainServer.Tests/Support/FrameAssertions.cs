using System.Text.Json;

namespace RealTimeMessageChat.MainServer.Tests.Support;

internal static class FrameAssertions
{
    public static string Command(this JsonElement frame) => frame.GetProperty("command").GetString()!;

    /// <summary>Reads broadcast frames (skipping heartbeats) until <paramref name="count"/> have arrived; returns their seqs.</summary>
    public static async Task<List<long>> ReadBroadcastSeqsAsync(this TestClient client, int count, CancellationToken cancellationToken, string room = "")
    {
        var seqs = new List<long>(count);
        while (seqs.Count < count)
        {
            JsonElement frame = await client.ReadFrameAsync(cancellationToken);
            if (frame.Command() == "heartbeat:ping")
            {
                continue;
            }

            Assert.Equal("send_broadcast_message", frame.Command());
            JsonElement message = frame.GetProperty("message");
            Assert.Equal(room, message.GetProperty("sub_id").GetString());
            seqs.Add(message.GetProperty("seq").GetInt64());
        }

        return seqs;
    }

    /// <summary>Sends a ping and expects the very next frame to be the pong: nothing else was queued before it.</summary>
    public static async Task AssertNothingPendingAsync(this TestClient client, CancellationToken cancellationToken)
    {
        await client.SendCommandAsync("heartbeat:ping", cancellationToken);
        JsonElement frame = await client.ReadFrameAsync(cancellationToken);
        Assert.Equal("heartbeat:pong", frame.Command());
    }

    public static List<long> Range(long from, long to) => [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i)];
}
