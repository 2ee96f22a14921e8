using RealTimeMessageChat.MainServer.Options;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>The per-connection limits, read once from the options and shared by every connection.</summary>
internal sealed record ConnectionSettings(int ReceiveBufferSize, long HandshakeTimeoutMs, long HeartbeatIntervalMs, long FrameTimeoutMs, long DrainTimeoutMs, int MaxFrameBytes, bool ToolkitCompress = false)
{
    // How long a closing connection may take to send what it has queued (an error reply, say).
    private const long DefaultDrainTimeoutMs = 5_000;

    public static ConnectionSettings From(MainServerOptions options) => new(
        options.BufferSize,
        options.HandshakeTimeoutSeconds * 1000L,
        options.HeartbeatIntervalSeconds * 1000L,
        options.FrameTimeoutSeconds * 1000L,
        DefaultDrainTimeoutMs,
        options.MaxFrameBytes,
        options.LegacyToolkitCompress);
}
