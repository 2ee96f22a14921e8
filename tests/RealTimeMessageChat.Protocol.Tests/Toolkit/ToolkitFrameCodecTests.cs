using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Encoders;
using RealTimeMessageChat.Protocol.Toolkit;

namespace RealTimeMessageChat.Protocol.Tests.Toolkit;

public sealed class ToolkitFrameCodecTests
{
    private static readonly ToolkitLimits Defaults = ToolkitLimits.Default;

    // ---- golden vectors ----------------------------------------------------------------------

    [Theory]
    [InlineData("C1")]
    [InlineData("S1")]
    [InlineData("C2")]
    [InlineData("S2")]
    [InlineData("S3")]
    [InlineData("C4")]
    [InlineData("R1")]
    [InlineData("S1z")]
    public void TryReadFrame_GoldenVector_DecodesToTheCapturedModeAndJson(string name)
    {
        var (_, bytes, mode, json) = ToolkitVectors.All().Single(v => v.Name == name);

        ToolkitFrame frame = ReadSingle(bytes);

        Assert.Equal(mode, frame.Mode);
        Assert.Equal(json, ToolkitVectors.Text(frame.Data));
    }

    [Fact]
    public void TryReadFrame_C4_SecondChunkRefersIntoTheFirstAndDecodesOnlyWithIt()
    {
        byte[] body = ToolkitVectors.C4[ToolkitFrameCodec.HeaderSize..^ToolkitFrameCodec.CodeSize];
        Assert.Equal(1024, BinaryPrimitives.ReadInt32LittleEndian(body));
        int firstCompressed = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(4));
        ReadOnlySpan<byte> second = body.AsSpan(8 + firstCompressed);
        int secondOriginal = BinaryPrimitives.ReadInt32LittleEndian(second);
        int secondCompressed = BinaryPrimitives.ReadInt32LittleEndian(second[4..]);
        Assert.Equal(341, secondOriginal);
        Assert.Equal(13, secondCompressed);

        // Alone, chunk 2's match (offset 944) points before the start of its output.
        int alone = LZ4Codec.Decode(second.Slice(8, secondCompressed), new byte[secondOriginal]);
        Assert.NotEqual(secondOriginal, alone);

        ToolkitFrame frame = ReadSingle(ToolkitVectors.C4);
        Assert.Equal(1365 - 17, frame.Data.Length);
        Assert.Equal(ToolkitVectors.C4Json, ToolkitVectors.Text(frame.Data));
    }

    [Theory]
    [InlineData("S1", ToolkitMode.Connection, ToolkitVectors.S1Json)]
    [InlineData("S2", ToolkitMode.Message, ToolkitVectors.S2Json)]
    [InlineData("S3", ToolkitMode.Message, ToolkitVectors.S3Json)]
    public void Encode_ServerVector_MatchesTheCapturedBytesExactly(string name, ToolkitMode mode, string json)
    {
        byte[] expected = ToolkitVectors.All().Single(v => v.Name == name).Frame;

        byte[] encoded = ToolkitFrameCodec.Encode(mode, Encoding.UTF8.GetBytes(json));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(encoded));
    }

    [Fact]
    public void S1z_CompressedReply_DecodesToTheSameFieldsAsOurPlainAndCompressedEncodings()
    {
        byte[] json = Encoding.UTF8.GetBytes(ToolkitVectors.S1zJson);
        ToolkitFrame captured = ReadSingle(ToolkitVectors.S1z);
        ToolkitFrame plain = ReadSingle(ToolkitFrameCodec.Encode(ToolkitMode.Connection, json));
        byte[] compressedBytes = ToolkitFrameCodec.Encode(ToolkitMode.Connection, json, compress: true);
        ToolkitFrame compressed = ReadSingle(compressedBytes);

        Assert.NotEqual(1, compressedBytes[ToolkitFrameCodec.HeaderSize + 4]); // a chunk, not the raw marker
        foreach (ToolkitFrame frame in new[] { captured, plain, compressed })
        {
            Assert.Equal(ToolkitMode.Connection, frame.Mode);
            Assert.Equal(json, frame.Data);
        }
    }

    [Fact]
    public void TryReadFrame_AllVectorsInOneBuffer_ReadsEachInOrder()
    {
        var vectors = ToolkitVectors.All().ToList();
        byte[] stream = [.. vectors.SelectMany(v => v.Frame)];
        var buffer = new ReadOnlySequence<byte>(stream);
        var read = new List<string>();

        while (ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out ToolkitFrame frame))
        {
            read.Add(ToolkitVectors.Text(frame.Data));
        }

        Assert.Equal(vectors.Select(v => v.Json), read);
        Assert.True(buffer.IsEmpty);
    }

    // ---- resync ----------------------------------------------------------------------------------

    [Fact]
    public void TryReadFrame_GarbageBeforeStartCode_IsSkipped()
    {
        byte[] garbage = [.. "hello"u8, 0xFD, 0x00, 0xFD, 0xFD, 0xFD, 0x01, 0xFC, 0xFC, 0xFC, 0xFC];
        var buffer = new ReadOnlySequence<byte>([.. garbage, .. ToolkitVectors.C1]);

        Assert.True(ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out ToolkitFrame frame));
        Assert.Equal(ToolkitVectors.C1Json, ToolkitVectors.Text(frame.Data));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryReadFrame_GarbageBetweenFrames_IsSkipped()
    {
        byte[] stream = [.. ToolkitVectors.C1, 0x00, 0xFD, 0xFD, 0x7F, .. ToolkitVectors.C2];
        var buffer = new ReadOnlySequence<byte>(stream);

        Assert.True(ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out ToolkitFrame first));
        Assert.True(ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out ToolkitFrame second));

        Assert.Equal(ToolkitVectors.C1Json, ToolkitVectors.Text(first.Data));
        Assert.Equal(ToolkitVectors.C2Json, ToolkitVectors.Text(second.Data));
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TryReadFrame_GarbageOnly_IsConsumedButATrailingPartialStartCodeIsKept(int startBytes)
    {
        byte[] frame = ToolkitVectors.C2;
        byte[] garbage = [0x00, 0xFD, 0xFD, 0xFD, 0x10, .. Enumerable.Repeat((byte)0x41, 300), .. frame.AsSpan(0, startBytes)];
        var buffer = new ReadOnlySequence<byte>(garbage);

        Assert.False(ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out _));
        Assert.Equal(startBytes, buffer.Length);

        // The kept prefix plus the rest of the frame is the whole frame.
        var resumed = new ReadOnlySequence<byte>([.. buffer.ToArray(), .. frame.AsSpan(startBytes)]);
        Assert.True(ToolkitFrameCodec.TryReadFrame(ref resumed, Defaults, out ToolkitFrame read));
        Assert.Equal(ToolkitVectors.C2Json, ToolkitVectors.Text(read.Data));
    }

    [Fact]
    public void TryReadFrame_PartialStartCodeAfterAFrame_WaitsForTheRest()
    {
        byte[] second = ToolkitVectors.S1;
        var buffer = new ReadOnlySequence<byte>([.. ToolkitVectors.C1, 0xFD, 0xFD]);

        Assert.True(ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out _));
        Assert.False(ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out _));
        Assert.Equal([0xFD, 0xFD], buffer.ToArray());

        var resumed = new ReadOnlySequence<byte>([.. buffer.ToArray(), .. second.AsSpan(2)]);
        Assert.True(ToolkitFrameCodec.TryReadFrame(ref resumed, Defaults, out ToolkitFrame read));
        Assert.Equal(ToolkitVectors.S1Json, ToolkitVectors.Text(read.Data));
    }

    [Fact]
    public void TryReadFrame_StrayStartByteRightBeforeAFrame_MisreadsTheFrame()
    {
        // Documented limit of the byte-by-byte scan (the C++ receiver's too): in FD + FD FD FD FD,
        // the first four FDs are the start code and the fifth is the length's low byte (a body of
        // 253 bytes legitimately starts that way, so it cannot be told apart). Here the length
        // reads as 0x63FD: the codec waits for that body, whose end code will then be wrong.
        var buffer = new ReadOnlySequence<byte>([0xFD, .. ToolkitVectors.C1]);

        Assert.False(ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out _));
        Assert.Equal(1 + ToolkitVectors.C1.Length, buffer.Length);

        var more = new ReadOnlySequence<byte>([0xFD, .. ToolkitVectors.C1, .. new byte[0x63FD]]);
        Assert.Throws<FrameFormatException>(() => ToolkitFrameCodec.TryReadFrame(ref more, Defaults, out _));
    }

    // ---- need more bytes -------------------------------------------------------------------------

    public static TheoryData<string> FramesToCut()
    {
        var data = new TheoryData<string>();
        foreach (var vector in ToolkitVectors.All())
        {
            data.Add(vector.Name);
        }

        data.Add("compressed-5000");
        return data;
    }

    [Theory]
    [MemberData(nameof(FramesToCut))]
    public void TryReadFrame_EveryPrefixOfAFrame_NeedsMoreAndKeepsTheBuffer(string name)
    {
        byte[] frame = FrameNamed(name);
        for (int cut = 0; cut < frame.Length; cut++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, cut);
            SequencePosition start = buffer.Start;

            bool read = ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out ToolkitFrame none);

            Assert.False(read, $"cut at {cut}");
            Assert.Equal(cut, buffer.Length);
            Assert.Equal(start, buffer.Start);
            Assert.Null(none.Data);
        }
    }

    [Theory]
    [MemberData(nameof(FramesToCut))]
    public void TryReadFrame_FrameSplitIntoSegmentsAnywhere_DecodesTheSame(string name)
    {
        byte[] frame = FrameNamed(name);
        ToolkitFrame expected = ReadSingle(frame);
        for (int cut = 1; cut < frame.Length; cut += name == "compressed-5000" ? 37 : 1)
        {
            ReadOnlySequence<byte> buffer = ToolkitVectors.Segmented(frame, cut, cut + 3, cut + 20);

            Assert.True(ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out ToolkitFrame read), $"cut at {cut}");
            Assert.Equal(expected.Mode, read.Mode);
            Assert.Equal(expected.Data, read.Data);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void TryReadFrame_OneByteSegments_Decodes()
    {
        byte[] frame = ToolkitVectors.C4;
        ReadOnlySequence<byte> buffer = ToolkitVectors.Segmented(frame, [.. Enumerable.Range(1, frame.Length - 1)]);

        Assert.True(ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out ToolkitFrame read));
        Assert.Equal(ToolkitVectors.C4Json, ToolkitVectors.Text(read.Data));
    }

    // ---- the body length -------------------------------------------------------------------------

    [Fact]
    public void TryReadFrame_BodyLengthZero_Throws()
    {
        var buffer = new ReadOnlySequence<byte>([0xFD, 0xFD, 0xFD, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0]);

        var ex = Assert.Throws<FrameFormatException>(() => ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out _));

        Assert.Contains("length 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadFrame_BodyLengthAtTheLimit_IsAcceptedAndOnePastIsRefusedOnTheHeaderAlone()
    {
        byte[] atLimit = ToolkitFrameCodec.Encode(ToolkitMode.Binary, new byte[ToolkitLimits.DefaultMaxBodyBytes - 17]);
        Assert.Equal((ulong)ToolkitLimits.DefaultMaxBodyBytes, BinaryPrimitives.ReadUInt64LittleEndian(atLimit.AsSpan(4)));
        Assert.Equal(ToolkitLimits.DefaultMaxBodyBytes - 17, ReadSingle(atLimit).Data.Length);

        byte[] onePast = ToolkitFrameCodec.Encode(ToolkitMode.Binary, new byte[ToolkitLimits.DefaultMaxBodyBytes - 16]);
        var header = new ReadOnlySequence<byte>(onePast, 0, ToolkitFrameCodec.HeaderSize);
        var ex = Assert.Throws<FrameFormatException>(() => ToolkitFrameCodec.TryReadFrame(ref header, Defaults, out _));
        Assert.Contains("exceeds the limit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadFrame_CustomBodyLimit_ExactBodyAcceptedOneLessRefused()
    {
        byte[] frame = ToolkitVectors.C2; // body 159 bytes

        Assert.Equal(ToolkitVectors.C2Json, ToolkitVectors.Text(ReadSingle(frame, new ToolkitLimits { MaxBodyBytes = 159 }).Data));
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.Throws<FrameFormatException>(() => ToolkitFrameCodec.TryReadFrame(ref buffer, new ToolkitLimits { MaxBodyBytes = 158 }, out _));
    }

    [Theory]
    [InlineData(0x1_0000_0000ul)]
    [InlineData(0x7FFF_FFFF_FFFF_FFFFul)]
    [InlineData(0x8000_0000_0000_0000ul)] // negative as a signed long
    [InlineData(0xFFFF_FFFF_FFFF_FFFFul)]
    [InlineData(0xFDFD_FDFD_FDFD_FDFDul)]
    public void TryReadFrame_HugeDeclaredLength_ThrowsBeforeTheBodyArrives(ulong declared)
    {
        byte[] header = [0xFD, 0xFD, 0xFD, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(4), declared);
        var buffer = new ReadOnlySequence<byte>(header);

        Assert.Throws<FrameFormatException>(() => ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out _));
    }

    // ---- the end code ----------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void TryReadFrame_WrongEndCode_Throws(int fromEnd)
    {
        byte[] frame = ToolkitVectors.C1;
        frame[^fromEnd] = 0xFD;
        var buffer = new ReadOnlySequence<byte>(frame);

        var ex = Assert.Throws<FrameFormatException>(() => ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out _));

        Assert.Contains("end code", ex.Message, StringComparison.Ordinal);
    }

    // ---- LZ4 chunks ------------------------------------------------------------------------------

    [Fact]
    public void TryReadFrame_CompressedSizeOnePastTheBody_Throws()
    {
        byte[] body = Body(ToolkitVectors.C1);
        Assert.Equal(91, BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(4))); // exactly what remains: fine (C1)

        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), 92);
        AssertRefused(Frame(body), "remain");

        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), int.MaxValue);
        AssertRefused(Frame(body), "remain");
    }

    [Theory]
    [InlineData(94)]
    [InlineData(96)]
    [InlineData(1024)]
    public void TryReadFrame_DecodedSizeDiffersFromOriginalSize_Throws(int declaredOriginal)
    {
        byte[] body = Body(ToolkitVectors.C1); // original_size 95
        BinaryPrimitives.WriteInt32LittleEndian(body, declaredOriginal);

        AssertRefused(Frame(body), "chunk 0");
    }

    [Fact]
    public void TryReadFrame_CorruptLz4Block_Throws()
    {
        byte[] body = Body(ToolkitVectors.C1);
        body[8 + 9] = 0xFF; // C1's second match offset (8) becomes 0xFF08: before the output start

        AssertRefused(Frame(body), "chunk 0");
    }

    [Fact]
    public void TryReadFrame_DecompressedSizeAtTheLimit_IsAcceptedAndOnePastRefused()
    {
        byte[] frame = ToolkitFrameCodec.Encode(ToolkitMode.Binary, Repetitive(4000 - 17), compress: true);

        Assert.Equal(4000 - 17, ReadSingle(frame, new ToolkitLimits { MaxDecompressedBytes = 4000 }).Data.Length);
        AssertRefused(frame, "over the limit", new ToolkitLimits { MaxDecompressedBytes = 3999 });
    }

    [Fact]
    public void TryReadFrame_ChunksTogetherOverTheLimit_AreRefusedThoughEachIsUnder()
    {
        byte[] frame = ToolkitFrameCodec.Encode(ToolkitMode.Binary, Repetitive(2000), compress: true); // 1024 + 993

        AssertRefused(frame, "over the limit", new ToolkitLimits { MaxDecompressedBytes = 1500 });
    }

    [Theory]
    [InlineData(int.MaxValue)] // ~2 GiB
    [InlineData(ToolkitLimits.DefaultMaxDecompressedBytes + 1)]
    public void TryReadFrame_DecompressionBomb_IsRefusedWithoutAllocatingIt(int claimedOriginal)
    {
        byte[] body = new byte[8 + 10];
        BinaryPrimitives.WriteInt32LittleEndian(body, claimedOriginal);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), 10);
        body[8] = 0x1F; // one literal, then a long match: what a real bomb would start with
        byte[] frame = Frame(body);
        var buffer = new ReadOnlySequence<byte>(frame);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<FrameFormatException>(() => ToolkitFrameCodec.TryReadFrame(ref buffer, Defaults, out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("over the limit", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void TryReadFrame_BombUnderAGenerousLimit_IsRefusedByTheLz4RatioWithoutAllocatingIt()
    {
        byte[] body = new byte[8 + 10];
        BinaryPrimitives.WriteInt32LittleEndian(body, 255 * 10 + 1);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), 10);
        var buffer = new ReadOnlySequence<byte>(Frame(body));
        var limits = new ToolkitLimits { MaxDecompressedBytes = int.MaxValue };

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<FrameFormatException>(() => ToolkitFrameCodec.TryReadFrame(ref buffer, limits, out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("can hold", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void TryReadFrame_LinkedBlocksFromAStreamingEncoder_Decode()
    {
        // Like the C++ sender: one streaming (chained) LZ4 context over 1 KiB blocks.
        byte[] fields = Fields(ToolkitMode.Message, Repetitive(6000));
        var body = new List<byte>();
        int linked = 0;
        using (ILZ4Encoder encoder = LZ4Encoder.Create(true, LZ4Level.L00_FAST, ToolkitFrameCodec.CompressionBlockSize, 0))
        {
            var target = new byte[LZ4Codec.MaximumOutputSize(ToolkitFrameCodec.CompressionBlockSize)];
            for (int start = 0; start < fields.Length; start += ToolkitFrameCodec.CompressionBlockSize)
            {
                ReadOnlySpan<byte> block = fields.AsSpan(start, Math.Min(ToolkitFrameCodec.CompressionBlockSize, fields.Length - start));
                EncoderAction action = encoder.TopupAndEncode(block, target, true, false, out int loaded, out int encoded);
                Assert.Equal(EncoderAction.Encoded, action);
                Assert.Equal(block.Length, loaded);
                if (start > 0 && LZ4Codec.Decode(target.AsSpan(0, encoded), new byte[block.Length]) != block.Length)
                {
                    linked++;
                }

                body.AddRange(Int32(block.Length));
                body.AddRange(Int32(encoded));
                body.AddRange(target.AsSpan(0, encoded).ToArray());
            }
        }

        Assert.True(linked > 0, "the encoder produced no block that needs the previous output");
        ToolkitFrame frame = ReadSingle(Frame([.. body]));
        Assert.Equal(ToolkitMode.Message, frame.Mode);
        Assert.Equal(Repetitive(6000), frame.Data);
    }

    [Fact]
    public void TryReadFrame_BytesAfterTheLastChunk_AreIgnoredAsByTheCppDecoder()
    {
        byte[] frame = ToolkitFrameCodec.Encode(ToolkitMode.Message, "abc"u8, compress: true);

        byte[] shortTail = Frame([.. Body(frame), 1, 2, 3, 4, 5, 6, 7]);
        byte[] zeroHeaderTail = Frame([.. Body(frame), 0, 0, 0, 0, 9, 9, 9, 9, 42]);

        Assert.Equal("abc", ToolkitVectors.Text(ReadSingle(shortTail).Data));
        Assert.Equal("abc", ToolkitVectors.Text(ReadSingle(zeroHeaderTail).Data));
    }

    [Fact]
    public void Encode_Compressed_UsesChunksOfAtMostOneKibibyte()
    {
        byte[] frame = ToolkitFrameCodec.Encode(ToolkitMode.File, Random(5000, seed: 3), compress: true);
        byte[] body = Body(frame);
        var originals = new List<int>();
        for (int offset = 0; offset < body.Length;)
        {
            int original = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(offset));
            int compressed = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(offset + 4));
            originals.Add(original);
            offset += 8 + compressed;
        }

        Assert.Equal([1024, 1024, 1024, 1024, 921], originals);
    }

    // ---- fields ----------------------------------------------------------------------------------

    [Fact]
    public void TryReadFrame_DataFieldLengthExactAcceptedOnePastRefused()
    {
        byte[] fields = Fields(ToolkitMode.Message, "hello"u8.ToArray());
        Assert.Equal("hello", ToolkitVectors.Text(ReadSingle(Frame(fields)).Data));

        BinaryPrimitives.WriteUInt64LittleEndian(fields.AsSpan(9), 6);
        AssertRefused(Frame(fields), "data field declares 6");

        BinaryPrimitives.WriteUInt64LittleEndian(fields.AsSpan(9), ulong.MaxValue);
        AssertRefused(Frame(fields), "data field declares");
    }

    [Fact]
    public void TryReadFrame_ModeFieldLengthPastTheBody_Throws()
    {
        byte[] fields = Fields(ToolkitMode.Message, "hello"u8.ToArray());
        BinaryPrimitives.WriteUInt64LittleEndian(fields, (ulong)fields.Length - 8 + 1);

        AssertRefused(Frame(fields), "mode field declares");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void TryReadFrame_ModeFieldNotOneByte_Throws(int modeLength)
    {
        byte[] body = [.. UInt64((ulong)modeLength), .. new byte[modeLength], .. UInt64(2), (byte)'i', (byte)'h'];

        AssertRefused(Frame(body), $"mode field is {modeLength} bytes");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(0xFF)]
    public void TryReadFrame_UnknownMode_Throws(byte mode)
    {
        byte[] fields = Fields(ToolkitMode.Message, "x"u8.ToArray());
        fields[8] = mode;

        AssertRefused(Frame(fields), "unknown");
    }

    [Fact]
    public void TryReadFrame_BytesAfterTheTwoFields_Throws()
    {
        AssertRefused(Frame([.. Fields(ToolkitMode.Message, "x"u8.ToArray()), 0]), "after its two fields");
    }

    [Theory]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 3 })]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0 })]
    public void TryReadFrame_BodyEndsInsideTheFieldLengths_Throws(byte[] body)
    {
        AssertRefused(Frame(body), "ends before");
    }

    // ---- round trips -----------------------------------------------------------------------------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EncodeThenTryReadFrame_EverySizeUpTo5000_RoundTrips(bool compress)
    {
        for (int size = 0; size <= 5000; size++)
        {
            var mode = (ToolkitMode)(size % 4);
            byte[] data = size % 2 == 0 ? Repetitive(size) : Random(size, seed: size);

            byte[] encoded = ToolkitFrameCodec.Encode(mode, data, compress);
            ToolkitFrame frame = ReadSingle(encoded);

            Assert.Equal(mode, frame.Mode);
            Assert.Equal(data, frame.Data);
            if (!compress)
            {
                Assert.Equal(ToolkitFrameCodec.HeaderSize + 17 + size + ToolkitFrameCodec.CodeSize, encoded.Length);
            }
        }
    }

    [Theory]
    [InlineData(ToolkitMode.Binary)]
    [InlineData(ToolkitMode.File)]
    [InlineData(ToolkitMode.Message)]
    [InlineData(ToolkitMode.Connection)]
    public void EncodeThenTryReadFrame_EachMode_RoundTripsCompressedAndNot(ToolkitMode mode)
    {
        byte[] data = Encoding.UTF8.GetBytes("{\"message\":\"héllo wörld ✓\"}");

        foreach (bool compress in new[] { false, true })
        {
            ToolkitFrame frame = ReadSingle(ToolkitFrameCodec.Encode(mode, data, compress));
            Assert.Equal(mode, frame.Mode);
            Assert.Equal(data, frame.Data);
        }
    }

    [Fact]
    public void Encode_DoesNotReverseTheCallersData()
    {
        byte[] data = "abc"u8.ToArray();

        ToolkitFrameCodec.Encode(ToolkitMode.Message, data);
        ToolkitFrameCodec.Encode(ToolkitMode.Message, data, compress: true);

        Assert.Equal("abc"u8.ToArray(), data);
    }

    [Fact]
    public void Encode_UnknownMode_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ToolkitFrameCodec.Encode((ToolkitMode)4, "x"u8));
    }

    [Fact]
    public void Heartbeat_Strings_AreTheToolkitsAndRoundTripAsMessages()
    {
        Assert.Equal("heartbeat:ping", ToolkitMessages.HeartbeatPing);
        Assert.Equal("heartbeat:pong", ToolkitMessages.HeartbeatPong);
        Assert.Equal(Encoding.UTF8.GetBytes(ToolkitMessages.HeartbeatPing), ToolkitMessages.HeartbeatPingUtf8.ToArray());
        Assert.Equal(Encoding.UTF8.GetBytes(ToolkitMessages.HeartbeatPong), ToolkitMessages.HeartbeatPongUtf8.ToArray());

        ToolkitFrame ping = ReadSingle(ToolkitFrameCodec.Encode(ToolkitMode.Message, ToolkitMessages.HeartbeatPingUtf8));

        Assert.Equal(ToolkitMode.Message, ping.Mode);
        Assert.Equal(ToolkitMessages.HeartbeatPing, ToolkitVectors.Text(ping.Data));
    }

    // ---- limits ----------------------------------------------------------------------------------

    [Fact]
    public void ToolkitLimits_DefaultsAndValidation()
    {
        Assert.Equal(64 * 1024, ToolkitLimits.Default.MaxBodyBytes);
        Assert.Equal(1024 * 1024, ToolkitLimits.Default.MaxDecompressedBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToolkitLimits { MaxBodyBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToolkitLimits { MaxDecompressedBytes = -1 });
    }

    [Fact]
    public void TryReadFrame_NullLimits_Throws()
    {
        var buffer = new ReadOnlySequence<byte>(ToolkitVectors.C1);

        Assert.Throws<ArgumentNullException>(() => ToolkitFrameCodec.TryReadFrame(ref buffer, null!, out _));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static ToolkitFrame ReadSingle(byte[] bytes, ToolkitLimits? limits = null)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(ToolkitFrameCodec.TryReadFrame(ref buffer, limits ?? Defaults, out ToolkitFrame frame));
        Assert.True(buffer.IsEmpty);
        return frame;
    }

    private static void AssertRefused(byte[] frame, string messagePart, ToolkitLimits? limits = null)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        var ex = Assert.Throws<FrameFormatException>(() => ToolkitFrameCodec.TryReadFrame(ref buffer, limits ?? Defaults, out _));
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
    }

    private static byte[] FrameNamed(string name) =>
        name == "compressed-5000"
            ? ToolkitFrameCodec.Encode(ToolkitMode.Message, Repetitive(5000), compress: true)
            : ToolkitVectors.All().Single(v => v.Name == name).Frame;

    private static byte[] Body(byte[] frame) => frame[ToolkitFrameCodec.HeaderSize..^ToolkitFrameCodec.CodeSize];

    private static byte[] Frame(byte[] body) => [0xFD, 0xFD, 0xFD, 0xFD, .. UInt64((ulong)body.Length), .. body, 0xFC, 0xFC, 0xFC, 0xFC];

    // Combiner fields, written independently of the codec.
    private static byte[] Fields(ToolkitMode mode, byte[] data) =>
        [.. UInt64(1), (byte)mode, .. UInt64((ulong)data.Length), .. data.Reverse()];

    private static byte[] UInt64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Repetitive(int size)
    {
        byte[] pattern = "{\"command\":\"send_broadcast_message\",\"message\":{\"id\":\"publisher\",\"data\":\"hello \"}}"u8.ToArray();
        var data = new byte[size];
        for (int i = 0; i < size; i++)
        {
            data[i] = (byte)(pattern[i % pattern.Length] + (i / 700 % 3));
        }

        return data;
    }

    private static byte[] Random(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }
}
