using RealTimeMessageChat.MainServer.Collections;
using RealTimeMessageChat.MainServer.Delivery;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>A room this server follows: its ring of encoded frames and the clients subscribed to it.</summary>
internal sealed class Room(string name, FrameRing ring, bool isLocal = false)
{
    public string Name { get; } = name;

    /// <summary>
    /// A feed of this server's own, not a stream in the message log (presence): its ring positions
    /// are local and unnumbered on the wire, and what falls off the ring is skipped, never replayed.
    /// </summary>
    public bool IsLocal { get; } = isLocal;

    public FrameRing Ring { get; } = ring;

    /// <summary>1 when the pub/sub hint named this room since the feed last read it (the feed reads only such rooms between full passes).</summary>
    public int WakePending;

    /// <summary>Iterated by the feed once per appended batch, without a lock.</summary>
    public SlotArray<Subscription> Subscribers { get; } = new();
}
