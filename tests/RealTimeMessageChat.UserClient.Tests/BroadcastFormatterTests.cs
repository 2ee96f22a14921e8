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
