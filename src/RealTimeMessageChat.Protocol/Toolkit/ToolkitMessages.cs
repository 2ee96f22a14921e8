namespace RealTimeMessageChat.Protocol.Toolkit;

/// <summary>
/// The toolkit's plain-string Message payloads (not JSON). The C++ side matches them by prefix.
/// RTMC leaves the toolkit heartbeat off; these are here for a server that wants to send it.
/// </summary>
public static class ToolkitMessages
{
    /// <summary>What a server may send as a <see cref="ToolkitMode.Message"/> to probe the client.</summary>
    public const string HeartbeatPing = "heartbeat:ping";

    /// <summary>The client's answer to <see cref="HeartbeatPing"/>.</summary>
    public const string HeartbeatPong = "heartbeat:pong";

    /// <summary><see cref="HeartbeatPing"/> as UTF-8 bytes.</summary>
    public static ReadOnlySpan<byte> HeartbeatPingUtf8 => "heartbeat:ping"u8;

    /// <summary><see cref="HeartbeatPong"/> as UTF-8 bytes.</summary>
    public static ReadOnlySpan<byte> HeartbeatPongUtf8 => "heartbeat:pong"u8;
}
