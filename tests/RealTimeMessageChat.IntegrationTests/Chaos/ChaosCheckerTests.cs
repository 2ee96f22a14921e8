using RealTimeMessageChat.IntegrationTests.Chaos;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>The checker on hand-made histories: each promise broken once must show in its own figure.</summary>
public sealed class ChaosCheckerTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid();

    private static readonly Dictionary<Guid, PublishOutcome> AllAccepted = new() { [A] = PublishOutcome.Accepted, [B] = PublishOutcome.Accepted, [C] = PublishOutcome.Accepted };

    private static readonly (long, Guid)[] InOrder = [(1, A), (2, B), (3, C)];

    [Fact]
    public void EveryClientAndTheStoreHoldEverythingOnceInOrder_Passes()
    {
        ChaosVerdict verdict = ChaosChecker.Check(AllAccepted, [("x", InOrder), ("y", InOrder)], InOrder);

        Assert.True(verdict.Passed, verdict.Summary);
        Assert.Equal((3, 3), (verdict.Accepted, verdict.Stored));
    }

    [Fact]
    public void AClientMissingOne_IsLost()
    {
        ChaosVerdict verdict = ChaosChecker.Check(AllAccepted, [("x", InOrder), ("y", [(1, A), (3, C)])], InOrder);

        Assert.Equal(1, verdict.Lost);
        Assert.Equal(0, verdict.Reordered);
    }

    [Fact]
    public void NotStored_IsLost_AndAGapInTheStoredSeqsToo()
    {
        ChaosVerdict verdict = ChaosChecker.Check(AllAccepted, [("x", InOrder)], [(1, A), (3, C)]);

        Assert.Equal(2, verdict.Lost);
    }

    [Fact]
    public void ReceivedTwice_IsDuplicated()
    {
        ChaosVerdict verdict = ChaosChecker.Check(AllAccepted, [("x", [(1, A), (2, B), (2, B), (3, C)])], InOrder);

        Assert.Equal((0, 1, 0), (verdict.Lost, verdict.Duplicated, verdict.Reordered));
    }

    [Fact]
    public void StoredTwice_IsDuplicated()
    {
        ChaosVerdict verdict = ChaosChecker.Check(AllAccepted, [("x", InOrder)], [(1, A), (2, B), (3, C), (4, C)]);

        Assert.Equal(1, verdict.Duplicated);
    }

    [Fact]
    public void OutOfSeqOrder_OrASeqOtherThanTheStoredOne_IsReordered()
    {
        Assert.Equal(1, ChaosChecker.Check(AllAccepted, [("x", [(1, A), (3, C), (2, B)])], InOrder).Reordered);
        Assert.Equal(2, ChaosChecker.Check(AllAccepted, [("x", [(1, A), (2, C), (3, B)])], InOrder).Reordered);
    }

    [Fact]
    public void NeverPublished_OrRefused_IsUnexpected()
    {
        var outcomes = new Dictionary<Guid, PublishOutcome> { [A] = PublishOutcome.Accepted, [B] = PublishOutcome.Refused };

        ChaosVerdict verdict = ChaosChecker.Check(outcomes, [("x", [(1, A), (2, B), (3, C)])], [(1, A), (2, B), (3, C)]);

        Assert.Equal(4, verdict.Unexpected);
    }

    [Fact]
    public void Unanswered_MayArriveEverywhereOrNowhere_ButNotSomewhere()
    {
        var outcomes = new Dictionary<Guid, PublishOutcome> { [A] = PublishOutcome.Accepted, [B] = PublishOutcome.Uncertain, [C] = PublishOutcome.Uncertain };
        (long, Guid)[] withB = [(1, A), (2, B)];

        ChaosVerdict everywhere = ChaosChecker.Check(outcomes, [("x", withB), ("y", withB)], withB);
        ChaosVerdict somewhere = ChaosChecker.Check(outcomes, [("x", withB), ("y", [(1, A)])], withB);

        Assert.True(everywhere.Passed, everywhere.Summary);
        Assert.Equal((2, 1), (everywhere.Uncertain, everywhere.UncertainDelivered));
        Assert.Equal(1, somewhere.Lost);
    }
}
