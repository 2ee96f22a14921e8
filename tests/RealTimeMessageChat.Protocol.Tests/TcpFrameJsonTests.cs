using System.Buffers;
using System.Text;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;

namespace RealTimeMessageChat.Protocol.Tests;

public sealed class TcpFrameJsonTests
{
    [Fact]
    public void Parse_ObjectWithCommand_ReturnsCommand()
    {
        using var document = TcpFrameJson.Parse(Seq("{\"command\":\"heartbeat:ping\",\"x\":1}"), out string command);

        Assert.Equal("heartbeat:ping", command);
        Assert.Equal(1, document.RootElement.GetProperty("x").GetInt32());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{\"id\":\"a\"}")]
    [InlineData("{\"command\":5}")]
    [InlineData("{\"command\":\"x\"")]
    public void Parse_NotAnObjectWithStringCommand_ThrowsTcpFrameException(string json)
    {
        Assert.Throws<TcpFrameException>(() => TcpFrameJson.Parse(Seq(json), out _));
    }

    [Fact]
    public void Parse_InvalidUtf8_ThrowsTcpFrameException()
    {
        byte[] bytes = [.. "{\"command\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Throws<TcpFrameException>(() => TcpFrameJson.Parse(new ReadOnlySequence<byte>(bytes), out _));
    }

    // Found by TcpFrameJsonFuzzTests: TryGetProperty decodes each name it compares, and a name
    // escaping a lone surrogate threw InvalidOperationException out of Parse (issue 9, defect 2's twin);
    // the search runs from the last property, so a name after the command is decoded too.
    [Theory]
    [InlineData("{\"\\udc00\\ud800command\":\"x\"}")]
    [InlineData("{\"comma\\udc00\\ud800nd\":\"x\"}")]
    [InlineData("{\"command\":\"heartbeat:ping\",\"\\ud800command\":1}")]
    [InlineData("{\"command\":\"\\ud800\"}")]
    public void Parse_LoneSurrogateInANameOrTheCommand_ThrowsTcpFrameException(string json)
    {
        Assert.Throws<TcpFrameException>(() => TcpFrameJson.Parse(Seq(json), out _));
    }

    [Fact]
    public void Serialize_ConnectFailure_OmitsNullFieldsAndUsesSnakeCase()
    {
        var frame = new ConnectResponse { Condition = false, Error = "invalid token" };

        string json = Encoding.UTF8.GetString(TcpFrameJson.Serialize(frame, ContractsJsonContext.Default.ConnectResponse));

        Assert.Equal("{\"command\":\"connection\",\"condition\":false,\"error\":\"invalid token\"}", json);
    }

    [Fact]
    public void Serialize_Broadcast_MatchesContractShape()
    {
        var id = Guid.Parse("0b8f6a3e-5a43-4a53-9a57-8f0b5b1b2c3d");
        var frame = new BroadcastFrame
        {
            Message = new BroadcastPayload { Id = "alice", SubId = "", Data = "hi", MessageId = id, Seq = 42, Timestamp = "2026-11-22T03:00:00Z" },
        };

        string json = Encoding.UTF8.GetString(TcpFrameJson.Serialize(frame, ContractsJsonContext.Default.BroadcastFrame));

        Assert.Equal(
            "{\"command\":\"send_broadcast_message\",\"message\":{\"id\":\"alice\",\"sub_id\":\"\",\"data\":\"hi\",\"message_id\":\"0b8f6a3e-5a43-4a53-9a57-8f0b5b1b2c3d\",\"seq\":42,\"timestamp\":\"2026-11-22T03:00:00Z\"}}",
            json);
    }

    private static ReadOnlySequence<byte> Seq(string text) => new(Encoding.UTF8.GetBytes(text));
}
