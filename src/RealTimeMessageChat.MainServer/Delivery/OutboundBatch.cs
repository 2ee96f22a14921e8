using RealTimeMessageChat.MainServer.Collections;

namespace RealTimeMessageChat.MainServer.Delivery;

/// <summary>
/// The frames of one gathered send, pooled: an idle connection holds none, and a busy one rents
/// one per send. Frames are references (the ring's shared arrays), never copies.
/// </summary>
internal sealed class OutboundBatch
{
    /// <summary>
    /// At most this many frames per send. Linux allows 1024 iovecs per sendmsg; 512 keeps a batch
    /// of 128-byte broadcasts (the feed appends up to replay_batch_size = 512 at once) in one
    /// syscall instead of eight, while the byte cap below bounds large frames.
    /// </summary>
    public const int MaxSegments = 512;

    /// <summary>At most this many bytes per send: a loopback send buffer's worth, so one slow send holds little.</summary>
    public const int MaxBytes = 256 * 1024;

    private static readonly BoundedPool<OutboundBatch> Pool = new(static () => new OutboundBatch(), capacity: 1024);

    public List<ArraySegment<byte>> Segments { get; } = new(MaxSegments);

    public int Count => Segments.Count;

    public int Bytes { get; private set; }

    public bool IsFull => Segments.Count >= MaxSegments || Bytes >= MaxBytes;

    public int SegmentsLeft => MaxSegments - Segments.Count;

    public static OutboundBatch Rent() => Pool.Rent();

    public static void Return(OutboundBatch batch)
    {
        batch.Segments.Clear();
        batch.Bytes = 0;
        Pool.Return(batch);
    }

    public void Add(byte[] frame)
    {
        Segments.Add(new ArraySegment<byte>(frame));
        Bytes += frame.Length;
    }
}
