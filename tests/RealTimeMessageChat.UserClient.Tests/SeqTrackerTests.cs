using RealTimeMessageChat.UserClient.Session;

namespace RealTimeMessageChat.UserClient.Tests;

public sealed class SeqTrackerTests
{
    [Fact]
    public void TryAccept_RepeatedOrOlderSeq_IsDropped()
    {
        var tracker = new SeqTracker();

        Assert.True(tracker.TryAccept("", 1));
        Assert.True(tracker.TryAccept("", 2));
        Assert.False(tracker.TryAccept("", 2));
        Assert.False(tracker.TryAccept("", 1));
        Assert.True(tracker.TryAccept("", 5));
    }

    [Fact]
    public void TryAccept_DifferentRooms_TrackedSeparately()
    {
        var tracker = new SeqTracker();

        Assert.True(tracker.TryAccept("", 3));
        Assert.True(tracker.TryAccept("room-a", 1));
        Assert.False(tracker.TryAccept("room-a", 1));
        Assert.Equal(3, tracker.LastPrinted(""));
        Assert.Equal(1, tracker.LastPrinted("room-a"));
    }

    [Fact]
    public void ResumeAfter_NothingKnown_IsNullForLiveOnlyConnect()
    {
        Assert.Null(new SeqTracker().ResumeAfter());
    }

    [Fact]
    public void ResumeAfter_AfterPrinting_IsHighestPrintedOfGlobalRoom()
    {
        var tracker = new SeqTracker();
        tracker.TryAccept("", 9);
        tracker.TryAccept("room-a", 50);

        Assert.Equal(9, tracker.ResumeAfter());
    }

    [Fact]
    public void ResumeAfter_StartGiven_IsStartUntilSomethingNewerPrinted()
    {
        var tracker = new SeqTracker(startAfter: 10);

        Assert.Equal(10, tracker.ResumeAfter());
        Assert.False(tracker.TryAccept("", 10));
        Assert.True(tracker.TryAccept("", 11));
        Assert.Equal(11, tracker.ResumeAfter());
    }

    [Fact]
    public void ObserveServerNewest_NothingPrinted_MovesResumePointButHidesNothing()
    {
        var tracker = new SeqTracker();

        tracker.ObserveServerNewest(20);

        Assert.Equal(20, tracker.ResumeAfter());
        Assert.True(tracker.TryAccept("", 20));
        Assert.True(tracker.TryAccept("", 21));
        Assert.Equal(21, tracker.ResumeAfter());
    }
}
