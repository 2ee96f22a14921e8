using System.Buffers.Binary;
using System.Net;
using RealTimeMessageChat.Bench.Tcp;
using RealTimeMessageChat.Protocol.Toolkit;

namespace RealTimeMessageChat.Bench.Tests;

public sealed class BenchClientFramingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(100_000)]
    public void Process_FramesCutAnywhere_AllCountedInOrder(int chunk)
    {
        using var pool = new ClientPool(new IPEndPoint(IPAddress.Loopback, 1), withEngine: false);
        using var client = new BenchClient(pool, 0);
        client.Process(Frame("""{"command":"connection","id":"u","sub_id":"s","condition":true,"last_seq":0}"""u8.ToArray()), now: 0);
        byte[] stream = [.. Enumerable.Range(1, 50).SelectMany(seq => Frame(BroadcastParserTests.Broadcast(seq, BenchContent.Create(seq, 40 + seq * 7))))];

        for (int offset = 0; offset < stream.Length; offset += chunk)
        {
            client.Process(stream.AsSpan(offset, Math.Min(chunk, stream.Length - offset)), now: 1_000);
        }

        Assert.Equal(50, client.Delivered);
        Assert.Equal(50, client.LastSeq);
        Assert.True(client.Checker.IsClean);
        Assert.Equal(50, pool.Recorder.Summarize().Count);
    }

    [Fact]
    public void Process_BadLength_ClosesTheClient()
    {
        using var pool = new ClientPool(new IPEndPoint(IPAddress.Loopback, 1), withEngine: false);
        using var client = new BenchClient(pool, 0);

        client.Process([0, 0, 0, 0], now: 0);

        Assert.False(client.IsOpen);
        Assert.StartsWith("protocol error", client.CloseReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(100_000)]
    public void ToolkitClient_FramesCutAnywhere_AllCountedInOrderFromTheStartSeq(int chunk)
    {
        using var pool = new ClientPool(new IPEndPoint(IPAddress.Loopback, 1), withEngine: false);
        using var client = new BenchClient(pool, 0, toolkitStartSeq: 100);
        client.OnData(ToolkitFrameCodec.Encode(ToolkitMode.Connection, """{"id":"t","sub_id":"0001-0002-0003-0004-0005","key":"","iv":"","encrypt_mode":false,"condition":true}"""u8), now: 0);
        byte[] stream = [.. Enumerable.Range(101, 30).SelectMany(seq => ToolkitFrameCodec.Encode(ToolkitMode.Message, BroadcastParserTests.Broadcast(seq, BenchContent.Create(seq, 40 + seq))))];

        for (int offset = 0; offset < stream.Length; offset += chunk)
        {
            client.OnData(stream.AsSpan(offset, Math.Min(chunk, stream.Length - offset)), now: 1_000);
        }

        Assert.True(client.Ready.IsCompletedSuccessfully);
        Assert.Equal(30, client.Delivered);
        Assert.Equal(130, client.LastSeq);
        Assert.True(client.Checker.IsClean);
    }

    [Fact]
    public void ToolkitClient_Refused_Closes()
    {
        using var pool = new ClientPool(new IPEndPoint(IPAddress.Loopback, 1), withEngine: false);
        using var client = new BenchClient(pool, 0, toolkitStartSeq: 0);

        client.OnData(ToolkitFrameCodec.Encode(ToolkitMode.Connection, """{"id":"t","sub_id":"","key":"","iv":"","encrypt_mode":false,"condition":false}"""u8), now: 0);

        Assert.False(client.IsOpen);
        Assert.StartsWith("toolkit handshake refused", client.CloseReason, StringComparison.Ordinal);
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }
}
