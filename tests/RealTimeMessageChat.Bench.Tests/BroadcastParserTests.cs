using System.Text;
using System.Text.Json;
using RealTimeMessageChat.Bench.Tcp;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;

namespace RealTimeMessageChat.Bench.Tests;

public sealed class BroadcastParserTests
{
    [Fact]
    public void Parse_ServerLayout_ReadsSeqAndStamp()
    {
        byte[] payload = Broadcast(seq: 12345, content: BenchContent.Create(987654321012, 128));

        FrameKind kind = BroadcastParser.Parse(payload, out long seq, out long stamp);

        Assert.Equal(FrameKind.Broadcast, kind);
        Assert.Equal(12345, seq);
        Assert.Equal(987654321012, stamp);
    }

    [Fact]
    public void Parse_OtherFieldOrder_FallsBackToJson()
    {
        string content = BenchContent.Create(42, 64);
        byte[] payload = Encoding.UTF8.GetBytes(
            $$"""{"message":{"seq":7,"data":"{{content}}","id":"u"},"command":"send_broadcast_message"}""");

        FrameKind kind = BroadcastParser.Parse(payload, out long seq, out long stamp);

        Assert.Equal(FrameKind.Broadcast, kind);
        Assert.Equal(7, seq);
        Assert.Equal(42, stamp);
    }

    [Fact]
    public void Parse_ContentMentioningSeq_TakesTheMessageSeq()
    {
        byte[] payload = Broadcast(seq: 9, content: "\"seq\":1234, not the real one");

        BroadcastParser.Parse(payload, out long seq, out long stamp);

        Assert.Equal(9, seq);
        Assert.Equal(-1, stamp);
    }

    [Theory]
    [InlineData("""{"command":"heartbeat:ping"}""", "Ping")]
    [InlineData("""{"command":"error","message":"no"}""", "Error")]
    [InlineData("""{"command":"update_user_clinet_status","message":"x"}""", "Other")]
    [InlineData("""{"nope":1}""", "Malformed")]
    [InlineData("""not json""", "Malformed")]
    [InlineData("""{"command":"send_broadcast_message","message":{}}""", "Malformed")]
    public void Parse_OtherFrames_AreClassified(string json, string expected)
    {
        Assert.Equal(expected, BroadcastParser.Parse(Encoding.UTF8.GetBytes(json), out _, out _).ToString());
    }

    [Fact]
    public void Content_IsExactSizeAndNotEscapedByJson()
    {
        string content = BenchContent.Create(123, 1024);

        string json = JsonSerializer.Serialize(new ErrorFrame { Message = content }, ContractsJsonContext.Default.ErrorFrame);

        Assert.Equal(1024, content.Length);
        Assert.Contains(content, json, StringComparison.Ordinal);
    }

    internal static byte[] Broadcast(long seq, string content) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new BroadcastFrame
            {
                Message = new BroadcastPayload
                {
                    Id = "bench-u01",
                    SubId = string.Empty,
                    Data = content,
                    MessageId = Guid.NewGuid(),
                    Seq = seq,
                    Timestamp = "2026-12-01T22:00:00.000Z",
                },
            },
            ContractsJsonContext.Default.BroadcastFrame);
}
