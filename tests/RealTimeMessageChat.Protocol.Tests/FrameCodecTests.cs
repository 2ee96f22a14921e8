using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;

namespace RealTimeMessageChat.Protocol.Tests;

public sealed class FrameCodecTests
{
    private const int Limit = FrameCodec.DefaultMaxPayloadSize;

    [Fact]
    public void TryReadFrame_WholeFrame_ReturnsPayloadAndConsumesIt()
    {
        var buffer = new ReadOnlySequence<byte>(FrameCodec.Encode("{\"command\":\"x\"}"u8));

        bool read = FrameCodec.TryReadFrame(ref buffer, Limit, out var payload);

        Assert.True(read);
        Assert.Equal("{\"command\":\"x\"}", Encoding.UTF8.GetString(payload.ToArray()));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryReadFrame_SeveralFramesInOneBuffer_ReadsEachInOrder()
    {
        byte[] bytes = [.. FrameCodec.Encode("a"u8), .. FrameCodec.Encode("bb"u8), .. FrameCodec.Encode("ccc"u8)];
        var buffer = new ReadOnlySequence<byte>(bytes);
        var payloads = new List<string>();

        while (FrameCodec.TryReadFrame(ref buffer, Limit, out var payload))
        {
            payloads.Add(Encoding.UTF8.GetString(payload.ToArray()));
        }

        Assert.Equal(["a", "bb", "ccc"], payloads);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryReadFrame_IncompleteHeaderOrBody_NeedsMoreAndKeepsBuffer()
    {
        byte[] frame = FrameCodec.Encode("hello"u8);
        for (int cut = 0; cut < frame.Length; cut++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, cut);

            bool read = FrameCodec.TryReadFrame(ref buffer, Limit, out _);

            Assert.False(read);
            Assert.Equal(cut, buffer.Length);
        }
    }

    [Fact]
    public void TryReadFrame_LengthZero_Throws()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[4]);

        var ex = Assert.Throws<FrameFormatException>(() => FrameCodec.TryReadFrame(ref buffer, Limit, out _));

        Assert.Contains("0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Limit + 1u)]
    [InlineData(0x8000_0000u)] // 2^31: negative as a signed int
    [InlineData(0xFFFF_FFFFu)]
    [InlineData(0xFD00_0010u)] // the C++ toolkit's marker byte first
    public void TryReadFrame_LengthOverLimit_ThrowsBeforeBodyArrives(uint declared)
    {
        // Only the header is present: the codec must refuse on the header alone, without
        // waiting for (or allocating) the declared body.
        byte[] header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, declared);
        var buffer = new ReadOnlySequence<byte>(header);

        Assert.Throws<FrameFormatException>(() => FrameCodec.TryReadFrame(ref buffer, Limit, out _));
    }

    [Fact]
    public void TryReadFrame_LengthExactlyAtLimit_IsAccepted()
    {
        byte[] payload = new byte[Limit];
        var buffer = new ReadOnlySequence<byte>(FrameCodec.Encode(payload));

        Assert.True(FrameCodec.TryReadFrame(ref buffer, Limit, out var read));
        Assert.Equal(Limit, read.Length);
    }

    [Fact]
    public void LengthPrefixedFrameCodec_EncodeEmptyOrOversize_Throws()
    {
        var codec = new LengthPrefixedFrameCodec(16);

        Assert.Throws<ArgumentOutOfRangeException>(() => codec.Encode([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => codec.Encode(new byte[17]));
        Assert.Equal(4 + 16, codec.Encode(new byte[16]).Length);
    }

    [Fact]
    public void WriteFrame_ThenTryReadFrame_RoundTrips()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(writer, "héllo wörld"u8);
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);

        Assert.True(FrameCodec.TryReadFrame(ref buffer, Limit, out var payload));
        Assert.Equal("héllo wörld", Encoding.UTF8.GetString(payload.ToArray()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(4096)]
    public async Task PipeReader_FramesFedInChunks_AllFramesReadIntact(int chunkSize)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string[] messages = [.. Enumerable.Range(0, 50).Select(i => new string((char)('a' + (i % 26)), 1 + (i * 37 % 300)))];
        byte[] stream = [.. messages.SelectMany(m => FrameCodec.Encode(Encoding.UTF8.GetBytes(m)))];
        var pipe = new Pipe();

        Task writer = Task.Run(
            async () =>
            {
                for (int offset = 0; offset < stream.Length; offset += chunkSize)
                {
                    await pipe.Writer.WriteAsync(stream.AsMemory(offset, Math.Min(chunkSize, stream.Length - offset)), cts.Token);
                }

                await pipe.Writer.CompleteAsync();
            },
            cts.Token);
        var received = await ReadAllAsync(pipe.Reader, cts.Token);
        await writer;

        Assert.Equal(messages, received);
    }

    [Fact]
    public async Task PipeReader_StreamEndsMidFrame_IsDetectedAsTruncated()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        byte[] frame = FrameCodec.Encode("complete"u8);
        byte[] partial = FrameCodec.Encode("cut short"u8)[..6];
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(frame.Concat(partial).ToArray(), cts.Token);
        await pipe.Writer.CompleteAsync();

        var ex = await Assert.ThrowsAsync<FrameFormatException>(() => ReadAllAsync(pipe.Reader, cts.Token));

        Assert.Contains("middle of a frame", ex.Message, StringComparison.Ordinal);
    }

    // The read loop shape of STYLE.md §4, reduced to collecting payloads.
    private static async Task<List<string>> ReadAllAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var received = new List<string>();
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                while (FrameCodec.TryReadFrame(ref buffer, Limit, out var payload))
                {
                    received.Add(Encoding.UTF8.GetString(payload.ToArray()));
                }

                if (result.IsCompleted)
                {
                    return buffer.IsEmpty ? received : throw new FrameFormatException("Connection closed in the middle of a frame.");
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }
}
