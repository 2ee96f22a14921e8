using System.Numerics;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>
/// A room's recent frames by seq, encoded once and shared by every client of the room: a client
/// is only a cursor into it. Bounded in frames and in bytes. One writer (the feed); any number of
/// lock-free readers, which look a seq up in its slot and trust the entry only if its seq matches.
/// </summary>
/// <remarks>
/// Seqs may arrive with gaps (a message the feed never saw, or one published out of band): the
/// missing seqs have no entry, and a reader that needs one reads it from the message log.
/// </remarks>
internal sealed class FrameRing
{
    private readonly RingEntry?[] _slots;
    private readonly long _mask;
    private readonly long _capacityBytes;
    private long _head;
    private long _tail;
    private long _headEndOffset;

    /// <param name="capacityFrames">Rounded up to a power of two, so a slot is <c>seq &amp; mask</c>.</param>
    /// <param name="capacityBytes">Frame bytes kept at most; the newest entry is kept even if larger.</param>
    /// <param name="head">The newest seq that exists before the ring starts: the first append is after it.</param>
    public FrameRing(int capacityFrames, long capacityBytes, long head)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityFrames, 1);
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)capacityFrames);
        _slots = new RingEntry?[size];
        _mask = size - 1;
        _capacityBytes = capacityBytes;
        _head = head;
        _tail = head + 1;
    }

    public int CapacityFrames => _slots.Length;

    /// <summary>The newest seq appended (or the start position while empty).</summary>
    public long Head => Volatile.Read(ref _head);

    /// <summary>The oldest seq the ring may still hold; anything before it has fallen off.</summary>
    public long Tail => Volatile.Read(ref _tail);

    /// <summary>Cumulative bytes up to and including <see cref="Head"/>.</summary>
    public long HeadEndOffset => Volatile.Read(ref _headEndOffset);

    /// <summary>The entry for <paramref name="seq"/>, or null when it fell off, never came, or is not there yet.</summary>
    public RingEntry? TryGet(long seq)
    {
        if (seq < Volatile.Read(ref _tail))
        {
            return null;
        }

        RingEntry? entry = Volatile.Read(ref _slots[seq & _mask]);
        return entry is not null && entry.Seq == seq ? entry : null;
    }

    /// <summary>Appends a frame after the head; false (nothing changes) for a seq at or below it. Single writer.</summary>
    public bool TryAppend(long seq, byte[] frame, long now)
    {
        long head = _head;
        if (seq <= head)
        {
            return false;
        }

        long end = _headEndOffset + frame.Length;
        var entry = new RingEntry(seq, frame, end, now);
        long tail = Math.Max(_tail, seq - _slots.Length + 1);

        // Clear what falls off by count before the new entry can take a slot of it, then by bytes.
        for (long s = _tail; s < tail && s <= head; s++)
        {
            ClearSlot(s);
        }

        Volatile.Write(ref _slots[seq & _mask], entry);
        while (tail < seq)
        {
            // A missing seq holds no bytes: step over it; an entry stays while the bytes from it fit.
            RingEntry? oldest = _slots[tail & _mask];
            if (oldest is not null && oldest.Seq == tail && end - oldest.StartOffset <= _capacityBytes)
            {
                break;
            }

            ClearSlot(tail);
            tail++;
        }

        // Readers check the tail first, then the slot's seq: publish the tail before the head moves.
        Volatile.Write(ref _tail, tail);
        Volatile.Write(ref _headEndOffset, end);
        Volatile.Write(ref _head, seq);
        return true;
    }

    private void ClearSlot(long seq)
    {
        ref RingEntry? slot = ref _slots[seq & _mask];
        if (slot is not null && slot.Seq == seq)
        {
            Volatile.Write(ref slot, null);
        }
    }
}
