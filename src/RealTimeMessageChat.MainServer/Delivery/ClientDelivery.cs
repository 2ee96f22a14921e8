using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Delivery;

/// <summary>
/// What one client has been given, per room: a <see cref="Subscription"/> (a cursor) into each
/// room's ring. The writer fills a send with every frame from each cursor up to the head; a seq
/// the ring does not hold (fell off, or never came) is read by this client's writer from the log,
/// Redis while it retains it and PostgreSQL beyond (<see cref="TieredMessageReader"/>), encoded and
/// sent, after which it continues from the ring. Exactly once and in order per room because only
/// the writer moves a cursor, and only after the send that carried the frames. Seqs neither store
/// holds are announced by a <c>recovery</c> frame with <c>recovered: false</c>, never skipped silently.
/// </summary>
internal sealed partial class ClientDelivery(
    IDeliveryTarget target,
    TieredMessageReader history,
    IFrameCodec codec,
    DeliveryLimits limits,
    MainServerMetrics metrics,
    ILogger logger) : IOutboundSource
{
    private Subscription[] _subscriptions = [];
    private volatile bool _historyFailed;
    private IFrameCodec _codec = codec;
    private bool _toolkitFraming;

    /// <summary>A receive-only guest (today: a C++ toolkit client): subscribed to the global room only.</summary>
    public bool GlobalRoomOnly => _toolkitFraming;

    /// <summary>
    /// The client speaks the C++ toolkit's framing: it gets each ring entry's toolkit frame, and
    /// history is encoded with <paramref name="toolkitCodec"/>. Set once, before the client joins.
    /// </summary>
    public void UseToolkitFraming(IFrameCodec toolkitCodec)
    {
        _codec = toolkitCodec;
        _toolkitFraming = true;
    }

    /// <summary>Between the directory's join and leave (written under its lock): only then may rooms be subscribed.</summary>
    public bool IsJoined { get; set; }

    /// <summary>The connection this delivery feeds (typing indicators go to it directly).</summary>
    public IDeliveryTarget Target => target;

    /// <summary>A history read failed; the connection timer schedules the writer again.</summary>
    public bool NeedsRetry => _historyFailed;

    public IReadOnlyList<Subscription> Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>Starts delivering <paramref name="room"/> after <paramref name="afterSeq"/>. Called under the directory's lock.</summary>
    public void Subscribe(Room room, long afterSeq)
    {
        FrameRing ring = room.Ring;

        // The byte backlog is measured from a ring position; a client starting in history has
        // none until its writer reaches the ring, and is not judged by bytes until then.
        long offset = afterSeq >= ring.Head ? ring.HeadEndOffset
            : ring.TryGet(afterSeq)?.EndOffset ?? Subscription.UnknownOffset;
        var subscription = new Subscription(room, this, afterSeq + 1, offset);
        subscription.Slot = room.Subscribers.Add(subscription);
        Volatile.Write(ref _subscriptions, [.. _subscriptions, subscription]);
        target.Schedule();
    }

    /// <summary>Rooms received besides the global one (presence is not a room).</summary>
    public int RoomCount => Volatile.Read(ref _subscriptions).Count(s => !s.Room.IsLocal && s.Room.Name.Length != 0);

    /// <summary>Whether the client has a subscription to the room named <paramref name="room"/>.</summary>
    public bool IsSubscribed(string room)
    {
        foreach (Subscription subscription in Volatile.Read(ref _subscriptions))
        {
            if (!subscription.Room.IsLocal && string.Equals(subscription.Room.Name, room, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Stops delivering <paramref name="room"/>; false when not subscribed. Called under the
    /// directory's lock. A send in flight may still carry the room's frames; the next one does not.
    /// </summary>
    public bool Unsubscribe(Room room)
    {
        Subscription[] current = Volatile.Read(ref _subscriptions);
        int index = Array.FindIndex(current, s => s.Room == room);
        if (index < 0)
        {
            return false;
        }

        room.Subscribers.Remove(current[index].Slot, current[index]);
        Volatile.Write(ref _subscriptions, [.. current[..index], .. current[(index + 1)..]]);
        return true;
    }

    /// <summary>Called under the directory's lock when the client leaves; returns the rooms it was in.</summary>
    public Room[] UnsubscribeAll()
    {
        Subscription[] current = Volatile.Read(ref _subscriptions);
        foreach (Subscription subscription in current)
        {
            subscription.Room.Subscribers.Remove(subscription.Slot, subscription);
        }

        Volatile.Write(ref _subscriptions, []);
        return [.. current.Select(s => s.Room)];
    }

    /// <summary>
    /// The feed appended to the subscription's room. Checks the backlog here, on the feed's
    /// thread, so a client whose writer is stuck in a send is still caught; then runs the writer here.
    /// </summary>
    public void OnAppended(Subscription subscription, long now)
    {
        if (limits.DisconnectSlow && Volatile.Read(ref subscription.SentOffset) != Subscription.UnknownOffset)
        {
            FrameRing ring = subscription.Room.Ring;
            long next = Volatile.Read(ref subscription.Next);
            long bytes = ring.HeadEndOffset - Volatile.Read(ref subscription.SentOffset);
            if (bytes > limits.MaxBacklogBytes)
            {
                target.EvictSlow($"{bytes} bytes behind (max_backlog_bytes {limits.MaxBacklogBytes})");
                return;
            }

            if (limits.MaxBacklogFrames > 0 && ring.Head - next + 1 > limits.MaxBacklogFrames)
            {
                target.EvictSlow($"{ring.Head - next + 1} frames behind (send_queue_capacity {limits.MaxBacklogFrames})");
                return;
            }

            if (limits.MaxBacklogAgeMs > 0 && ring.TryGet(next) is { } oldest && now - oldest.AppendedAt > limits.MaxBacklogAgeMs)
            {
                target.EvictSlow($"oldest unsent frame {now - oldest.AppendedAt} ms old (max_backlog_age_sec)");
                return;
            }
        }

        target.RunNow();
    }

    public ValueTask FillAsync(OutboundBatch batch)
    {
        Subscription[] subscriptions = Volatile.Read(ref _subscriptions);
        foreach (Subscription subscription in subscriptions)
        {
            // A room this send does not reach keeps its cursor at commit.
            subscription.PendingNext = subscription.Next;
            subscription.PendingOffset = subscription.SentOffset;
        }

        foreach (Subscription subscription in subscriptions)
        {
            if (batch.IsFull)
            {
                break;
            }

            if (!FillFromRing(subscription, batch))
            {
                // History is rare and slow: one room's read per send, the rest go in the next.
                return ReadHistoryAsync(subscription, batch);
            }
        }

        return ValueTask.CompletedTask;
    }

    public void Commit()
    {
        foreach (Subscription subscription in Volatile.Read(ref _subscriptions))
        {
            subscription.CommitPending();
        }
    }

    /// <summary>Adds the subscription's due frames from the ring; false when it needs one the ring lacks.</summary>
    private bool FillFromRing(Subscription subscription, OutboundBatch batch)
    {
        FrameRing ring = subscription.Room.Ring;
        long next = subscription.Next;
        long offset = subscription.SentOffset;
        long head = ring.Head;
        bool complete = true;
        while (next <= head && !batch.IsFull)
        {
            RingEntry? entry = ring.TryGet(next);
            if (entry is null)
            {
                if (subscription.Room.IsLocal && next < ring.Tail)
                {
                    // A local feed (presence) is never replayed: what fell off the ring is skipped.
                    next = ring.Tail;
                    offset = ring.TryGet(next)?.StartOffset ?? offset;
                    continue;
                }

                complete = false;
                break;
            }

            if (entry.Frame.Length > 0)
            {
                batch.Add(_toolkitFraming ? entry.GetToolkitFrame(limits.ToolkitCompress) : entry.Frame);
            }

            offset = entry.EndOffset;
            next++;
        }

        subscription.PendingNext = next;
        subscription.PendingOffset = offset;
        return complete;
    }

    private async ValueTask ReadHistoryAsync(Subscription subscription, OutboundBatch batch)
    {
        while (await ReadHistoryOnceAsync(subscription, batch) && batch.Count == 0)
        {
            // Nothing to send, yet the cursor moved (skipped or trimmed seqs): keep the move and
            // go on from the ring, or the writer would go idle with the cursor where it was.
            subscription.CommitPending();
            if (FillFromRing(subscription, batch))
            {
                return;
            }
        }
    }

    /// <summary>One read of the log after the cursor; true when the pending cursor moved.</summary>
    private async ValueTask<bool> ReadHistoryOnceAsync(Subscription subscription, OutboundBatch batch)
    {
        Room room = subscription.Room;
        long after = subscription.PendingNext - 1;
        // Half the room left in the send: each message may bring a recovery frame before it.
        int count = Math.Max(1, Math.Min(limits.ReplayBatchSize, batch.SegmentsLeft / 2));
        IReadOnlyList<ChatMessage> messages;
        try
        {
            messages = await history.ReadAfterAsync(room.Name, after, long.MaxValue, count, CancellationToken.None);
            _historyFailed = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Keep the cursor; the connection timer wakes the writer to try again.
            _historyFailed = true;
            LogHistoryReadFailed(logger, ex, target.Id, room.Name);
            return false;
        }

        int replayed = 0;
        foreach (ChatMessage message in messages)
        {
            if (message.Seq <= after)
            {
                continue;
            }

            if (message.Seq != after + 1)
            {
                AddUnrecoverable(batch, room.Name, after + 1, message.Seq - 1);
            }

            byte[]? frame = null;
            try
            {
                frame = BroadcastFrameEncoder.Encode(message, _codec);
            }
            catch (ArgumentOutOfRangeException)
            {
                // Too large for a frame: the feed skipped it too.
            }

            if (frame is not null)
            {
                batch.Add(frame);
                replayed++;
            }

            after = message.Seq;
        }

        if (messages.Count == 0 && room.Ring.Tail > after + 1 && room.Ring.Head > after)
        {
            // Neither store nor the ring has what follows: continue from the ring.
            AddUnrecoverable(batch, room.Name, after + 1, room.Ring.Tail - 1);
            after = room.Ring.Tail - 1;
        }

        bool moved = after + 1 != subscription.PendingNext;
        subscription.PendingNext = after + 1;
        if (room.Ring.TryGet(after) is { } entry)
        {
            subscription.PendingOffset = entry.EndOffset;
        }

        if (replayed > 0)
        {
            metrics.Replayed(replayed);
        }

        return moved;
    }

    /// <summary>Seqs <paramref name="fromSeq"/> to <paramref name="toSeq"/> are in neither store: the client is told so in their place.</summary>
    private void AddUnrecoverable(OutboundBatch batch, string room, long fromSeq, long toSeq)
    {
        LogUnrecoverable(logger, target.Id, room, fromSeq, toSeq);

        // A C++ toolkit guest knows no such frame; for it the log line is the record.
        if (!_toolkitFraming)
        {
            var frame = new RecoveryFrame { SubId = room, Recovered = false, FromSeq = fromSeq, ToSeq = toSeq };
            batch.Add(_codec.Encode(TcpFrameJson.Serialize(frame, ContractsJsonContext.Default.RecoveryFrame)));
        }
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Warning, Message = "Connection {ConnectionId} room {Room}: seq {FromSeq} to {ToSeq} are in neither Redis nor PostgreSQL; sent a recovery frame (recovered: false) in their place")]
    private static partial void LogUnrecoverable(ILogger logger, long connectionId, string room, long fromSeq, long toSeq);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Connection {ConnectionId} room {Room}: reading history from the message log failed; retrying")]
    private static partial void LogHistoryReadFailed(ILogger logger, Exception exception, long connectionId, string room);
}
