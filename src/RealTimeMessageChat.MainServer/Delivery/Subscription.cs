using RealTimeMessageChat.MainServer.Broadcasting;

namespace RealTimeMessageChat.MainServer.Delivery;

/// <summary>
/// One client's cursor into one room's ring. <see cref="Next"/> and <see cref="SentOffset"/> are
/// written only by the client's writer, after a send completed, and read by the feed's backlog check.
/// </summary>
internal sealed class Subscription(Room room, ClientDelivery delivery, long next, long sentOffset)
{
    /// <summary><see cref="SentOffset"/> while the client reads history that is not in the ring.</summary>
    public const long UnknownOffset = -1;

    public Room Room { get; } = room;

    public ClientDelivery Delivery { get; } = delivery;

    /// <summary>The next seq this client is to be sent.</summary>
    public long Next = next;

    /// <summary>The ring's cumulative offset up to what the client has been sent: backlog = head offset − this.</summary>
    public long SentOffset = sentOffset;

    /// <summary>Where the send in flight leaves the cursor (writer only; a commit of a room the fill never saw keeps it).</summary>
    public long PendingNext = next;

    public long PendingOffset = sentOffset;

    /// <summary>The slot in <see cref="Room.Subscribers"/>.</summary>
    public int Slot;

    /// <summary>
    /// Moves the cursor to where the pending send leaves it. The offset first: the feed's backlog
    /// check reads <see cref="SentOffset"/> and must never see it behind a cursor already moved.
    /// </summary>
    public void CommitPending()
    {
        Volatile.Write(ref SentOffset, PendingOffset);
        Volatile.Write(ref Next, PendingNext);
    }
}
