using System.Text.Json;
using RealTimeMessageChat.UserClient.Console;

namespace RealTimeMessageChat.UserClient.Tests;

public sealed class BroadcastFormatterTests
{
    [Fact]
    public void Format_PlainMessage_IsSeqSenderAndText()
    {
        Assert.Equal("[42] alice: hello: world", BroadcastFormatter.Format(42, "alice", "hello: world"));
    }

    [Fact]
    public void Format_TextWithLineBreaks_StaysOneLine()
    {
        string line = BroadcastFormatter.Format(1, "bob", "a\nb\r\nc");

        Assert.Equal("[1] bob: a\\nb\\r\\nc", line);
    }

    [Theory]
    [InlineData("\u001b[2J\u001b[H", "\\u001B[2J\\u001B[H")] // clear the screen, cursor home
    [InlineData("\u001b]0;pwned\u0007", "\\u001B]0;pwned\\u0007")] // OSC: set the window title, BEL
    [InlineData("\u009b31m", "\\u009B31m")] // C1 CSI
    [InlineData("tab\there\u007f\u0000", "tab\\there\\u007F\\u0000")] // TAB, DEL, NUL
    [InlineData("a\u2028b", "a\\u2028b")] // line separator
    public void Format_TerminalEscapesAndControls_AreShownAsTextNeverSent(string data, string shown)
    {
        string line = BroadcastFormatter.Format(3, "mallory", data);

        Assert.Equal($"[3] mallory: {shown}", line);
        Assert.DoesNotContain(line, char.IsControl);
    }

    [Fact]
    public void Format_EveryClassOfPrintableUnicode_IsKeptAsIs()
    {
        const string Text = "émoji 🎉 CJK 漢字 RTL עברית combining é ZWJ 👩‍💻 quotes '\"; DROP TABLE messages; --";

        Assert.Equal($"[4] alice: {Text}", BroadcastFormatter.Format(4, "alice", Text));
        Assert.Same(Text, BroadcastFormatter.Printable(Text));
    }

    [Fact]
    public void TryRead_ServerBroadcast_ReadsSeqRoomSenderAndData()
    {
        using var document = JsonDocument.Parse("""
            {"command":"send_broadcast_message","message":{"id":"bob","sub_id":"","data":"hi","message_id":"8d1c6f7e-4f43-4a52-9a55-0d7f3c0b8a10","seq":7,"timestamp":"2026-11-22T03:00:00Z"}}
            """);

        bool ok = BroadcastFormatter.TryRead(document.RootElement, out BroadcastLine line);

        Assert.True(ok);
        Assert.Equal(new BroadcastLine(7, "", "bob", "hi"), line);
        Assert.Equal("[7] bob: hi", line.ToString());
    }

    [Theory]
    [InlineData("""{"command":"send_broadcast_message"}""")]
    [InlineData("""{"command":"send_broadcast_message","message":{"id":"bob","data":"hi"}}""")]
    [InlineData("""{"command":"send_broadcast_message","message":{"id":"bob","data":"hi","seq":"7"}}""")]
    [InlineData("""{"command":"send_broadcast_message","message":{"data":"hi","seq":7}}""")]
    public void TryRead_MissingFields_ReturnsFalse(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.False(BroadcastFormatter.TryRead(document.RootElement, out _));
    }
}
