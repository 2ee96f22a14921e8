using RealTimeMessageChat.MainServer.Broadcasting;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class FrameRingTests
{
    [Fact]
    public void TryAppend_PastCapacity_WrapsAroundAndKeepsTheNewest()
    {
        var ring = new FrameRing(capacityFrames: 8, capacityBytes: 1 << 20, head: 0);

        for (long seq = 1; seq <= 20; seq++)
        {
            Assert.True(ring.TryAppend(seq, Frame(seq, 10), now: seq));
        }

        Assert.Equal(20, ring.Head);
        Assert.Equal(13, ring.Tail);
        Assert.Null(ring.TryGet(12));
        for (long seq = 13; seq <= 20; seq++)
        {
            RingEntry entry = Assert.IsType<RingEntry>(ring.TryGet(seq));
            Assert.Equal(seq, entry.Seq);
            Assert.Equal(seq, entry.Frame[0]);
            Assert.Equal(seq * 10, entry.EndOffset);
            Assert.Equal(seq, entry.AppendedAt);
        }

        Assert.Null(ring.TryGet(21));
    }

    [Fact]
    public void TryAppend_OverByteCapacity_DropsTheOldestByBytes()
    {
        var ring = new FrameRing(capacityFrames: 64, capacityBytes: 100, head: 0);

        for (long seq = 1; seq <= 10; seq++)
        {
            ring.TryAppend(seq, Frame(seq, 30), now: 0);
        }

        // 100 bytes hold three frames of 30.
        Assert.Equal(8, ring.Tail);
        Assert.Null(ring.TryGet(7));
        Assert.NotNull(ring.TryGet(8));
        Assert.Equal(300, ring.HeadEndOffset);
    }

    [Fact]
    public void TryGet_CursorFallenOffTheEnd_ReturnsNullWhileLaterSeqsAreServed()
    {
        var ring = new FrameRing(capacityFrames: 4, capacityBytes: 1 << 20, head: 100);
        long cursor = 101;
        ring.TryAppend(101, Frame(1, 5), now: 0);
        Assert.NotNull(ring.TryGet(cursor));

        for (long seq = 102; seq <= 110; seq++)
        {
            ring.TryAppend(seq, Frame(seq, 5), now: 0);
        }

        Assert.Null(ring.TryGet(cursor));
        Assert.True(cursor < ring.Tail);
        Assert.Equal(107, ring.Tail);
        Assert.Equal(110, ring.TryGet(110)!.Seq);
    }

    [Fact]
    public void TryAppend_GapInSeqs_LeavesTheMissingSeqsAbsent()
    {
        var ring = new FrameRing(capacityFrames: 16, capacityBytes: 1 << 20, head: 0);

        ring.TryAppend(1, Frame(1, 10), now: 0);
        ring.TryAppend(4, Frame(4, 10), now: 0);
        ring.TryAppend(5, Frame(5, 10), now: 0);

        Assert.NotNull(ring.TryGet(1));
        Assert.Null(ring.TryGet(2));
        Assert.Null(ring.TryGet(3));
        Assert.Equal(4, ring.TryGet(4)!.Seq);
        Assert.Equal(20, ring.TryGet(4)!.EndOffset);
        Assert.Equal(5, ring.Head);
    }

    [Fact]
    public void TryAppend_SeqAtOrBelowHead_IsRefused()
    {
        var ring = new FrameRing(capacityFrames: 16, capacityBytes: 1 << 20, head: 10);

        Assert.False(ring.TryAppend(10, Frame(10, 1), now: 0));
        Assert.True(ring.TryAppend(11, Frame(11, 1), now: 0));
        Assert.False(ring.TryAppend(11, Frame(11, 1), now: 0));
        Assert.Equal(11, ring.Head);
        Assert.Equal(1, ring.HeadEndOffset);
    }

    private static byte[] Frame(long marker, int length)
    {
        var frame = new byte[length];
        frame[0] = (byte)marker;
        return frame;
    }
}
