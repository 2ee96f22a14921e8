using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.MainServer.Collections;
using RealTimeMessageChat.MainServer.Delivery;
using RealTimeMessageChat.MainServer.Options;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>
/// The rooms this server follows and who is subscribed to which. Membership today is "every
/// client in every room" (CONTRACT.md: every client receives every broadcast), decided here and
/// only here: the rooms issue replaces <see cref="Join"/>'s loop with real membership without
/// touching the feed's fan-out, which only ever walks one room's subscribers.
/// </summary>
internal sealed class RoomDirectory(IOptions<MainServerOptions> options)
{
    public const string GlobalRoom = "";

    /// <summary>Name of the local presence feed; not a room name a message can carry (control characters are refused).</summary>
    public const string PresenceFeed = "\u0001presence";

    private readonly MainServerOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Room> _byName = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Joins and room creation are rare next to broadcasts, and must not interleave: a client
    // joining while a room is born would otherwise be subscribed to it twice or not at all.
    private readonly Lock _membership = new();
    private readonly SlotArray<ClientDelivery> _members = new();
    private Room[] _rooms = [];

    /// <summary>
    /// The <c>user_status</c> frames, encoded once per window and shared like a room's broadcasts.
    /// Not in <see cref="Rooms"/> (the message feed never reads it); every account client follows
    /// it from its head at join: status changes are live only, never replayed.
    /// </summary>
    public Room Presence { get; } = new(PresenceFeed, new FrameRing(options.Value.RingCapacityFrames, options.Value.RingCapacityBytes, 0), isLocal: true);

    /// <summary>Completes once the start positions have been read from Redis.</summary>
    public Task Ready => _ready.Task;

    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>Every room followed, for the feed's pass; replaced (never mutated) when a room is added.</summary>
    public Room[] Rooms => Volatile.Read(ref _rooms);

    public void MarkReady() => _ready.TrySetResult();

    public bool TryGet(string name, out Room room) => _byName.TryGetValue(name, out room!);

    /// <summary>The newest seq this server has of <paramref name="name"/>; 0 for a room it does not follow.</summary>
    public long Head(string name) => _byName.TryGetValue(name, out Room? room) ? room.Ring.Head : 0;

    /// <summary>
    /// Follows a room whose newest existing seq is <paramref name="head"/>; every member is
    /// subscribed from the message after it. Returns the existing room when there is one.
    /// </summary>
    public Room GetOrAdd(string name, long head)
    {
        if (_byName.TryGetValue(name, out Room? existing))
        {
            return existing;
        }

        lock (_membership)
        {
            if (_byName.TryGetValue(name, out existing))
            {
                return existing;
            }

            var room = new Room(name, new FrameRing(_options.RingCapacityFrames, _options.RingCapacityBytes, head));
            foreach (ClientDelivery? member in _members.Items)
            {
                if (member is { GlobalRoomOnly: false })
                {
                    member.Subscribe(room, head);
                }
            }

            _byName[name] = room;
            Volatile.Write(ref _rooms, [.. _rooms, room]);
            return room;
        }
    }

    /// <summary>
    /// Subscribes a client that has just authenticated: the global room from after
    /// <paramref name="globalAfterSeq"/>, every other room from its newest seq on.
    /// </summary>
    public void Join(ClientDelivery delivery, long globalAfterSeq)
    {
        lock (_membership)
        {
            delivery.MemberSlot = _members.Add(delivery);
            if (!delivery.GlobalRoomOnly && _options.PresenceBroadcast)
            {
                // C++ toolkit guests are left out: the original client knows no user_status frame.
                delivery.Subscribe(Presence, Presence.Ring.Head);
            }

            foreach (Room room in _rooms)
            {
                if (room.Name == GlobalRoom)
                {
                    delivery.Subscribe(room, globalAfterSeq);
                }
                else if (!delivery.GlobalRoomOnly)
                {
                    delivery.Subscribe(room, room.Ring.Head);
                }
            }
        }
    }

    public void Leave(ClientDelivery delivery)
    {
        lock (_membership)
        {
            if (_members.Remove(delivery.MemberSlot, delivery))
            {
                delivery.UnsubscribeAll();
            }
        }
    }
}
