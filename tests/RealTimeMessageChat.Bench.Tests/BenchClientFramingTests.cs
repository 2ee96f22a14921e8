using System.Buffers.Binary;
using System.Net;
using RealTimeMessageChat.Bench.Tcp;

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

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }
}
