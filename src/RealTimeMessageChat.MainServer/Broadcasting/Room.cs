using RealTimeMessageChat.MainServer.Collections;
using RealTimeMessageChat.MainServer.Delivery;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>A room this server follows: its ring of encoded frames and the clients subscribed to it.</summary>
internal sealed class Room(string name, FrameRing ring)
{
    public string Name { get; } = name;

    public FrameRing Ring { get; } = ring;

    /// <summary>Iterated by the feed once per appended batch, without a lock.</summary>
    public SlotArray<Subscription> Subscribers { get; } = new();
}
