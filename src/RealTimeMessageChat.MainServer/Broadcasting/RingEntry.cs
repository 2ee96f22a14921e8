using RealTimeMessageChat.Protocol;
using RealTimeMessageChat.Protocol.Toolkit;

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
    private byte[]? _toolkitFrame;

    public long StartOffset => EndOffset - Frame.Length;

    /// <summary>
    /// The same broadcast for C++ toolkit clients: the same JSON in a toolkit Message frame, made on
    /// first use and then shared by every such client (two writers racing make the same bytes).
    /// <see cref="Frame"/> is the length-prefixed encoding the feed writes (4-byte header).
    /// <paramref name="compress"/> is the process's <c>legacy_toolkit_compress</c>, the same for every
    /// call, so the one cached encoding is always the one asked for.
    /// </summary>
    public byte[] GetToolkitFrame(bool compress)
    {
        byte[]? frame = Volatile.Read(ref _toolkitFrame);
        if (frame is not null)
        {
            return frame;
        }

        frame = Frame.Length <= FrameCodec.HeaderSize ? []
            : ToolkitFrameCodec.Encode(ToolkitMode.Message, Frame.AsSpan(FrameCodec.HeaderSize), compress);
        return Interlocked.CompareExchange(ref _toolkitFrame, frame, null) ?? frame;
    }
}
