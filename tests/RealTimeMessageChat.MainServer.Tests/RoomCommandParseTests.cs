using System.Buffers;
using System.Text;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.MainServer.Networking;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class RoomCommandParseTests
{
    [Theory]
    [InlineData("""{"command":"join","sub_id":"team","last_seq":7}""", "join", "team", 7L, null)]
    [InlineData("""{"command":"leave","sub_id":"team"}""", "leave", "team", null, null)]
    [InlineData("""{"command":"typing","sub_id":"dm-0123"}""", "typing", "dm-0123", null, null)]
    [InlineData("""{"command":"read","sub_id":"","seq":42}""", "read", "", null, 42L)]
    public void RoomCommands_ParseTheirFields(string json, string command, string room, long? lastSeq, long? seq)
    {
        InboundFrame frame = InboundFrame.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(command, frame.Command);
        Assert.Equal(room, frame.Room!.SubId);
        Assert.Equal(lastSeq, frame.Room.LastSeq);
        Assert.Equal(seq, frame.Room.Seq);
    }

    [Fact]
    public void Handshake_Rooms_ParseEachRoomAndItsLastSeq()
    {
        const string Json = """{"command":"connection","id":"alice","token":"t","rooms":[{"sub_id":"a"},{"sub_id":"b","last_seq":3}]}""";

        InboundFrame frame = InboundFrame.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Json)));

        Assert.Equal(["a", "b"], frame.Connect!.Rooms!.Select(r => r.SubId));
        Assert.Equal([null, 3L], frame.Connect.Rooms!.Select(r => r.LastSeq));
    }

    [Fact]
    public void Read_WithAStringSeq_IsAFrameErrorNamingTheField()
    {
        var ex = Assert.Throws<TcpFrameException>(() =>
            InboundFrame.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("""{"command":"read","sub_id":"a","seq":"x"}"""))));

        Assert.Contains("seq", ex.Message, StringComparison.Ordinal);
    }
}
