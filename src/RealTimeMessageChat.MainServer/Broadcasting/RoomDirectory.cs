using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Delivery;
using RealTimeMessageChat.MainServer.Options;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>
/// The rooms this server follows and who is subscribed to which (issue 8). Every client is in the
/// global room <c>""</c>, always followed; any other room is followed only while at least one of
/// this server's clients is subscribed to it, and dropped (ring and all) when the last one leaves,
/// so a server with no member of a room reads nothing of it. Whether a client may be subscribed is
/// the caller's check (<see cref="Rooms.RoomSubscriptions"/>); this class only keeps the sets
/// consistent. The feed's fan-out still walks one room's subscribers and nothing else.
/// </summary>
internal sealed partial class RoomDirectory(IMessageLog messageLog, IOptions<MainServerOptions> options, MainServerMetrics metrics, ILogger<RoomDirectory> logger)
{
    public const string GlobalRoom = "";

    /// <summary>Name of the local presence feed; not a room name a message can carry (control characters are refused).</summary>
    public const string PresenceFeed = "\u0001presence";

    private readonly MainServerOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Room> _byName = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Subscriptions, follows and unfollows are rare next to broadcasts and must not interleave: a
    // client joining while the room's last subscriber leaves would otherwise be left in a room
    // nobody reads.
    private readonly Lock _membership = new();
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

    /// <summary>Every room followed, for the feed's pass; replaced (never mutated) when a room is added or dropped.</summary>
    public Room[] Rooms => Volatile.Read(ref _rooms);

    /// <summary>Raised (outside the lock) when a room starts being followed, so the feed reads it at once.</summary>
    public event Action<Room>? Followed;

    public void MarkReady() => _ready.TrySetResult();

    public bool TryGet(string name, out Room room) => _byName.TryGetValue(name, out room!);

    /// <summary>The newest seq this server has of <paramref name="name"/>; 0 for a room it does not follow.</summary>
    public long Head(string name) => _byName.TryGetValue(name, out Room? room) ? room.Ring.Head : 0;

    /// <summary>
    /// Follows a room whose newest existing seq is <paramref name="head"/> (the feed's start, and
    /// tests); returns the existing room when there is one. Nobody is subscribed by this.
    /// </summary>
    public Room GetOrAdd(string name, long head)
    {
        Room? added = null;
        Room room;
        lock (_membership)
        {
            room = _byName.TryGetValue(name, out Room? existing) ? existing : added = Follow(name, head);
        }

        if (added is not null)
        {
            Followed?.Invoke(added);
        }

        return room;
    }

    /// <summary>
    /// Subscribes a client that has just authenticated: the global room from after
    /// <paramref name="globalAfterSeq"/>, and presence. Other rooms come by <see cref="SubscribeAsync"/>.
    /// </summary>
    public void Join(ClientDelivery delivery, long globalAfterSeq)
    {
        lock (_membership)
        {
            delivery.IsJoined = true;
            if (!delivery.GlobalRoomOnly && _options.PresenceBroadcast)
            {
                // C++ toolkit guests are left out: the original client knows no user_status frame.
                delivery.Subscribe(Presence, Presence.Ring.Head);
            }

            if (_byName.TryGetValue(GlobalRoom, out Room? global))
            {
                delivery.Subscribe(global, globalAfterSeq);
            }
        }
    }

    /// <summary>
    /// Subscribes <paramref name="delivery"/> to <paramref name="name"/> after <paramref name="lastSeq"/>
    /// (clamped to the room's newest seq; null: from the newest), following the room first if this
    /// server does not yet (one Redis read of its newest seq). <paramref name="onSubscribing"/> runs
    /// under the lock with the room's newest seq just before the subscription starts, so a reply it
    /// queues precedes the room's frames. Returns null when the client has left meanwhile; an
    /// already subscribed client is not subscribed again (its cursor stays) and gets the head too.
    /// </summary>
    public async ValueTask<long?> SubscribeAsync(ClientDelivery delivery, string name, long? lastSeq, Action<long> onSubscribing, CancellationToken cancellationToken)
    {
        while (true)
        {
            long? startHead = _byName.ContainsKey(name) ? null : await messageLog.GetLastSeqAsync(name, cancellationToken);
            Room? added = null;
            long head;
            lock (_membership)
            {
                if (!delivery.IsJoined)
                {
                    return null;
                }

                if (!_byName.TryGetValue(name, out Room? room))
                {
                    if (startHead is null)
                    {
                        continue; // dropped while we looked: read its head outside the lock
                    }

                    room = added = Follow(name, startHead.Value);
                }

                head = room.Ring.Head;
                onSubscribing(head);
                if (!delivery.IsSubscribed(name))
                {
                    delivery.Subscribe(room, lastSeq is long seq ? Math.Clamp(seq, 0, head) : head);
                }
            }

            if (added is not null)
            {
                Followed?.Invoke(added);
            }

            return head;
        }
    }

    /// <summary>
    /// Stops delivering <paramref name="name"/> to the client; <paramref name="onUnsubscribed"/>
    /// runs under the lock with the room's newest seq. False when it was not subscribed. The room is
    /// dropped when this was its last subscriber (never the global room).
    /// </summary>
    public bool Unsubscribe(ClientDelivery delivery, string name, Action<long>? onUnsubscribed = null)
    {
        lock (_membership)
        {
            if (!_byName.TryGetValue(name, out Room? room) || !delivery.Unsubscribe(room))
            {
                return false;
            }

            onUnsubscribed?.Invoke(room.Ring.Head);
            DropIfEmpty(room);
            return true;
        }
    }

    public void Leave(ClientDelivery delivery)
    {
        lock (_membership)
        {
            if (!delivery.IsJoined)
            {
                return;
            }

            delivery.IsJoined = false;
            foreach (Room room in delivery.UnsubscribeAll())
            {
                DropIfEmpty(room);
            }
        }
    }

    private Room Follow(string name, long head)
    {
        bool global = name.Length == 0;
        var room = new Room(name, global
            ? new FrameRing(_options.RingCapacityFrames, _options.RingCapacityBytes, head)
            : new FrameRing(_options.RoomRingCapacityFrames, _options.RoomRingCapacityBytes, head));

        // Read at once: whatever was appended since the head was read is due to the first subscriber.
        room.WakePending = 1;
        _byName[name] = room;
        Volatile.Write(ref _rooms, [.. _rooms, room]);
        metrics.RoomFollowed(1);
        LogFollowing(logger, name, head);
        return room;
    }

    private void DropIfEmpty(Room room)
    {
        if (room.Name.Length == 0 || room.IsLocal || room.Subscribers.Count > 0 || !_byName.TryGetValue(room.Name, out Room? current) || current != room)
        {
            return;
        }

        // A pass of the feed already reading it finishes into a ring nobody holds; harmless.
        _byName.TryRemove(room.Name, out _);
        Volatile.Write(ref _rooms, [.. _rooms.Where(r => r != room)]);
        metrics.RoomFollowed(-1);
        LogUnfollowed(logger, room.Name, room.Ring.Head);
    }

    [LoggerMessage(EventId = 2410, Level = LogLevel.Information, Message = "Following room {Room} from seq {Head}")]
    private static partial void LogFollowing(ILogger logger, string room, long head);

    [LoggerMessage(EventId = 2411, Level = LogLevel.Information, Message = "No client left in room {Room}: stopped following it at seq {Head}")]
    private static partial void LogUnfollowed(ILogger logger, string room, long head);
}
