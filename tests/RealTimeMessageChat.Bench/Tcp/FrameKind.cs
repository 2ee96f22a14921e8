namespace RealTimeMessageChat.Bench.Tcp;

internal enum FrameKind
{
    /// <summary>A <c>send_broadcast_message</c> frame with a <c>seq</c>.</summary>
    Broadcast,

    /// <summary><c>heartbeat:ping</c>: the client must answer, or the server closes it after three intervals.</summary>
    Ping,

    /// <summary>An <c>error</c> frame.</summary>
    Error,

    /// <summary>Any other command (a pong, a status reply, the connection reply).</summary>
    Other,

    /// <summary>Not a JSON object with a string <c>command</c>, or a broadcast without a numeric <c>seq</c>.</summary>
    Malformed,
}
