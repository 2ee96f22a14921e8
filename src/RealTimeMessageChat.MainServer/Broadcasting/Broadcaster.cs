using RealTimeMessageChat.MainServer.Networking;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>
/// Offers one encoded frame to every connection. Never awaits a client: each connection decides
/// under its own lock whether to queue the frame, ignore it (duplicate) or catch up from Redis.
/// </summary>
internal sealed class Broadcaster(ConnectionRegistry registry, MainServerMetrics metrics)
{
    public void Publish(string room, long seq, byte[] frame)
    {
        metrics.FrameBroadcast();
        foreach (ClientConnection connection in registry.Snapshot())
        {
            connection.Deliver(room, seq, frame);
        }
    }
}
