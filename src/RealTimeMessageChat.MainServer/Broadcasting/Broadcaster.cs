using RealTimeMessageChat.MainServer.Delivery;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>
/// Appends encoded frames to a room's ring and wakes each subscriber once per batch. Never awaits a
/// client: a wake-up is a backlog check and, if the client's writer is idle, one work item.
/// </summary>
internal sealed class Broadcaster(RoomDirectory rooms, MainServerMetrics metrics)
{
    /// <summary>One frame outside the feed's pass (tests). The ring has one writer: do not race the feed.</summary>
    public void Publish(string room, long seq, byte[] frame)
    {
        Room target = rooms.GetOrAdd(room, seq - 1);
        if (target.Ring.TryAppend(seq, frame, Environment.TickCount64))
        {
            Wake(target, 1);
        }
    }

    /// <summary>Called after <paramref name="appended"/> frames went into the room's ring.</summary>
    public void Wake(Room room, int appended)
    {
        long now = Environment.TickCount64;
        long subscribers = 0;
        foreach (Subscription? subscription in room.Subscribers.Items)
        {
            if (subscription is not null)
            {
                subscription.Delivery.OnAppended(subscription, now);
                subscribers++;
            }
        }

        // Counted once per batch, not per delivery: the exporter takes a lock per Add.
        metrics.Broadcast(appended, appended * subscribers);
    }
}
