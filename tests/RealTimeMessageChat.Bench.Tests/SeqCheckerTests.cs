using RealTimeMessageChat.Bench.Tcp;

namespace RealTimeMessageChat.Bench.Tests;

public sealed class SeqCheckerTests
{
    [Fact]
    public void Observe_ContiguousFromStart_IsClean()
    {
        var checker = new SeqChecker();
        checker.Reset(41);

        foreach (long seq in new long[] { 42, 43, 44 })
        {
            checker.Observe(seq);
        }

        Assert.True(checker.IsClean);
        Assert.Equal(3, checker.InOrder);
        Assert.Equal(44, checker.Last);
        Assert.Equal(0, checker.MissingThrough(44));
    }

    [Fact]
    public void Observe_Jump_CountsGapAndMissing()
    {
        var checker = new SeqChecker();

        checker.Observe(1);
        checker.Observe(4);

        Assert.Equal(1, checker.Gaps);
        Assert.Equal(2, checker.Missing);
        Assert.False(checker.IsClean);
    }

    [Fact]
    public void Observe_LateSeqInsideGap_IsReorderedNotDuplicate()
    {
        var checker = new SeqChecker();
        checker.Observe(1);
        checker.Observe(5);

        checker.Observe(3);
        checker.Observe(2);
        checker.Observe(4);

        Assert.Equal(3, checker.Reordered);
        Assert.Equal(0, checker.Duplicates);
        Assert.Equal(0, checker.Missing);
    }

    [Fact]
    public void Observe_SeqSeenBefore_IsDuplicate()
    {
        var checker = new SeqChecker();
        checker.Observe(1);
        checker.Observe(2);

        checker.Observe(2);
        checker.Observe(1);

        Assert.Equal(2, checker.Duplicates);
        Assert.Equal(0, checker.Reordered);
    }

    [Fact]
    public void MissingThrough_HeadBeyondLast_CountsTheTail()
    {
        var checker = new SeqChecker();
        checker.Reset(10);
        checker.Observe(11);

        Assert.Equal(4, checker.MissingThrough(15));
    }

    [Fact]
    public void ResetCounters_KeepsPosition()
    {
        var checker = new SeqChecker();
        checker.Observe(1);
        checker.Observe(3);

        checker.ResetCounters();
        checker.Observe(4);

        Assert.True(checker.IsClean);
        Assert.Equal(4, checker.Last);
    }
}
