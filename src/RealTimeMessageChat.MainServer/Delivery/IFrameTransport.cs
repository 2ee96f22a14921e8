namespace RealTimeMessageChat.MainServer.Delivery;

/// <summary>The writer's side of a transport: one gathered send at a time, and the end of writing.</summary>
internal interface IFrameTransport
{
    /// <summary>Sends every segment (the transport loops over partial sends); throws when the peer is gone.</summary>
    ValueTask SendAsync(IList<ArraySegment<byte>> segments);

    /// <summary>The writer finished: everything queued was sent (<paramref name="error"/> null) or sending failed.</summary>
    void OnWriterCompleted(Exception? error);
}
