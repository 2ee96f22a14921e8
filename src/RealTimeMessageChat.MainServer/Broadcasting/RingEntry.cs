namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>
/// One encoded frame in a room's ring. Immutable, so a reader that finds <see cref="Seq"/> equal
/// to the seq it asked for holds a consistent entry without taking a lock.
/// </summary>
/// <param name="Seq">The message's seq in its room.</param>
/// <param name="Frame">The wire frame, shared by every client; empty for a message that was skipped (too large).</param>
/// <param name="EndOffset">Bytes of frames appended to the ring up to and including this one: backlog in bytes is a subtraction.</param>
/// <param name="AppendedAt">When the feed appended it (<see cref="Environment.TickCount64"/>): the backlog's age.</param>
internal sealed record RingEntry(long Seq, byte[] Frame, long EndOffset, long AppendedAt)
{
    public long StartOffset => EndOffset - Frame.Length;
}
