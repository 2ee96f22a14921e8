using RealTimeMessageChat.UserClient.Console;
using RealTimeMessageChat.UserClient.Session;

namespace RealTimeMessageChat.UserClient.Tests;

public sealed class RoomInputTests
{
    [Theory]
    [InlineData("/join team", nameof(InputCommandKind.Join), "team", "")]
    [InlineData("/leave team", nameof(InputCommandKind.Leave), "team", "")]
    [InlineData("/who team", nameof(InputCommandKind.Who), "team", "")]
    [InlineData("/room team", nameof(InputCommandKind.Room), "team", "")]
    [InlineData("/room", nameof(InputCommandKind.Room), "", "")]
    [InlineData("/rooms", nameof(InputCommandKind.Rooms), "", "")]
    [InlineData("/typing", nameof(InputCommandKind.Typing), "", "")]
    [InlineData("/dm bob  hello there ", nameof(InputCommandKind.Dm), "bob", "hello there")]
    public void RoomCommands_Parse(string line, string kind, string text, string extra) =>
        Assert.Equal(new InputCommand(Enum.Parse<InputCommandKind>(kind), text, extra), InputCommand.Parse(line));

    [Theory]
    [InlineData("/join")]
    [InlineData("/join bad room!")]
    [InlineData("/dm bob")]
    [InlineData("/dm")]
    public void RoomCommands_WithoutAValidArgument_AreUnknown(string line) =>
        Assert.Equal(InputCommandKind.Unknown, InputCommand.Parse(line).Kind);

    [Fact]
    public void RoomBroadcast_PrintsTheRoomAndSeq_GlobalAsBefore()
    {
        Assert.Equal("[team #6] bob: hi", new BroadcastLine(6, "team", "bob", "hi").ToString());
        Assert.Equal("[6] bob: hi", new BroadcastLine(6, "", "bob", "hi").ToString());
        Assert.Equal("[t\\u001B #1] bob: x", BroadcastFormatter.Format("t\u001b", 1, "bob", "x"));
    }

    [Fact]
    public void SeqTracker_ResumesEachRoomFromWhatItPrintedOrItsJoinedHead()
    {
        var seqs = new SeqTracker();
        Assert.Null(seqs.ResumeAfter("team"));
        seqs.ObserveRoomHead("team", 5);
        Assert.Equal(5L, seqs.ResumeAfter("team"));
        Assert.True(seqs.TryAccept("team", 7));
        Assert.Equal(7L, seqs.ResumeAfter("team"));
        Assert.Null(seqs.ResumeAfter("other"));
        Assert.Null(seqs.ResumeAfter());
    }
}
