using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace RealTimeMessageChat.Protocol.Toolkit;

/// <summary>
/// The original C++ toolkit's framing (shared/legacy-toolkit/WIRE.md), spoken by an unmodified C++
/// UserClient: <c>FD FD FD FD | u64 LE body length | body | FC FC FC FC</c>. The body is either LZ4
/// chunks (<c>[int32 LE original_size][int32 LE compressed_size][raw LZ4 block]</c>, 1 KiB source
/// blocks, each block possibly referring back into the previous ones' output) or, when no chunk
/// header reads as one, the raw Combiner fields: <c>field([mode]) + field(data)</c>, each field a
/// u64 LE length followed by the field's bytes in reverse order.
/// Pure functions over buffers: no I/O, no JSON. Every declared size is bounded before it is
/// trusted, waited for or allocated.
/// </summary>
public static class ToolkitFrameCodec
{
    /// <summary>The byte the start code repeats four times.</summary>
    public const byte StartByte = 0xFD;

    /// <summary>The byte the end code repeats four times.</summary>
    public const byte EndByte = 0xFC;

    /// <summary>Length of the start code and of the end code.</summary>
    public const int CodeSize = 4;

    /// <summary>Start code plus the u64 body length.</summary>
    public const int HeaderSize = CodeSize + sizeof(ulong);

    /// <summary>Source block size of the LZ4 chunks, as the C++ sender uses (and as <see cref="Encode"/> does).</summary>
    public const int CompressionBlockSize = 1024;

    private const int ChunkHeaderSize = 2 * sizeof(int);
    private const int FieldLengthSize = sizeof(ulong);

    // LZ4 refers back at most 64 KiB; a block is decoded with up to that much of the output before it.
    private const int MaxLz4Window = 64 * 1024;

    // One LZ4 input byte can never produce 255 output bytes or more (a 0xFF length byte adds 255,
    // and the token, offset and the rest of a sequence produce less than they cost), so an
    // original_size above 255 × compressed_size is a lie, refused before allocating for it.
    private const long MaxLz4Expansion = 255;

    private static ReadOnlySpan<byte> StartCode => [StartByte, StartByte, StartByte, StartByte];

    private static ReadOnlySpan<byte> EndCode => [EndByte, EndByte, EndByte, EndByte];

    /// <summary>
    /// Reads one frame from the front of <paramref name="buffer"/>.
    /// <para>
    /// Resync: bytes before the first <c>FD FD FD FD</c> are garbage and are consumed (the buffer is
    /// sliced past them), as the C++ receiver scans byte by byte after losing sync; a trailing
    /// partial start code (1 to 3 <c>FD</c>s) is kept for the next read.
    /// </para>
    /// <para>
    /// Returns false when more bytes are needed: the buffer is then unchanged, apart from consumed
    /// garbage. Returns true with the frame and the buffer sliced past it.
    /// </para>
    /// <para>
    /// Throws <see cref="FrameFormatException"/> for bytes that can never be a valid frame (close the
    /// connection): a declared body length of 0 or over <see cref="ToolkitLimits.MaxBodyBytes"/>
    /// (checked on the 12-byte header alone, before the body arrives); a wrong end code (the C++
    /// toolkit drops such a frame and rescans, but a peer that sends one is broken or hostile, and
    /// scanning on inside a body could surface a forged frame, so this codec ends the connection);
    /// LZ4 chunks whose sizes exceed the body or <see cref="ToolkitLimits.MaxDecompressedBytes"/>,
    /// or that do not decode to their declared size; fields that are not exactly a 1-byte known
    /// mode and a data field filling the rest of the body.
    /// </para>
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, ToolkitLimits limits, out ToolkitFrame frame)
    {
        ArgumentNullException.ThrowIfNull(limits);
        frame = default;
        if (!SkipToStartCode(ref buffer) || buffer.Length < HeaderSize)
        {
            return false;
        }

        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(CodeSize);
        reader.TryReadLittleEndian(out long signedLength);

        // u64 on the wire: 2^63 and above read as negative, and the unsigned comparison refuses
        // them together with anything over the limit.
        ulong declared = (ulong)signedLength;
        if (declared == 0)
        {
            throw new FrameFormatException("Toolkit frame body length 0 is not allowed.");
        }

        if (declared > (ulong)limits.MaxBodyBytes)
        {
            throw new FrameFormatException($"Toolkit frame body length {declared} exceeds the limit of {limits.MaxBodyBytes} bytes.");
        }

        int bodyLength = (int)declared;
        if (reader.Remaining < bodyLength + CodeSize)
        {
            return false;
        }

        ReadOnlySequence<byte> body = buffer.Slice(reader.Position, bodyLength);
        ReadOnlySequence<byte> endCode = buffer.Slice(body.End, CodeSize);
        if (!new SequenceReader<byte>(endCode).IsNext(EndCode))
        {
            throw new FrameFormatException($"Toolkit frame of {bodyLength} body bytes is not followed by the end code FC FC FC FC.");
        }

        frame = DecodeBody(body.IsSingleSegment ? body.FirstSpan : body.ToArray(), limits);
        buffer = buffer.Slice(endCode.End);
        return true;
    }

    /// <summary>
    /// Encodes one frame. By default the body is uncompressed (it then starts with
    /// <c>01 00 00 00 00 00 00 00</c>, which a C++ decoder reads as "no chunk, use the raw body").
    /// With <paramref name="compress"/> the body is LZ4 chunks over <see cref="CompressionBlockSize"/>
    /// source blocks, each compressed independently (valid input for the C++ streaming decoder
    /// and for <see cref="TryReadFrame"/>). No size limit is applied here: the C++ client refuses
    /// bodies over 8 MiB, and our receivers over their <see cref="ToolkitLimits"/>.
    /// </summary>
    public static byte[] Encode(ToolkitMode mode, ReadOnlySpan<byte> data, bool compress = false)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown toolkit mode.");
        }

        int fieldsLength = checked((2 * FieldLengthSize) + 1 + data.Length);
        if (!compress)
        {
            var frame = new byte[checked(HeaderSize + fieldsLength + CodeSize)];
            WriteFields(frame.AsSpan(HeaderSize, fieldsLength), mode, data);
            return FinishFrame(frame, fieldsLength);
        }

        var fields = new byte[fieldsLength];
        WriteFields(fields, mode, data);
        int blocks = (fieldsLength + CompressionBlockSize - 1) / CompressionBlockSize;
        int capacity = checked(HeaderSize + (blocks * (ChunkHeaderSize + LZ4Codec.MaximumOutputSize(CompressionBlockSize))) + CodeSize);
        var scratch = new byte[capacity];
        int bodyLength = 0;
        for (int start = 0; start < fieldsLength; start += CompressionBlockSize)
        {
            ReadOnlySpan<byte> block = fields.AsSpan(start, Math.Min(CompressionBlockSize, fieldsLength - start));
            Span<byte> chunk = scratch.AsSpan(HeaderSize + bodyLength);
            int compressedLength = LZ4Codec.Encode(block, chunk[ChunkHeaderSize..], LZ4Level.L00_FAST);
            if (compressedLength <= 0)
            {
                throw new InvalidOperationException($"LZ4 compression of a {block.Length}-byte block failed ({compressedLength}).");
            }

            BinaryPrimitives.WriteInt32LittleEndian(chunk, block.Length);
            BinaryPrimitives.WriteInt32LittleEndian(chunk[sizeof(int)..], compressedLength);
            bodyLength += ChunkHeaderSize + compressedLength;
        }

        return FinishFrame(scratch.AsSpan(0, HeaderSize + bodyLength + CodeSize).ToArray(), bodyLength);
    }

    // True when the buffer now starts with a whole start code; otherwise the garbage before a
    // trailing run of (fewer than four) start bytes has been sliced off.
    private static bool SkipToStartCode(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.IsNext(StartCode))
        {
            return true;
        }

        int run = 0;
        while (reader.TryRead(out byte b))
        {
            run = b == StartByte ? run + 1 : 0;
            if (run == CodeSize)
            {
                buffer = buffer.Slice(reader.Consumed - CodeSize);
                return true;
            }
        }

        buffer = buffer.Slice(buffer.Length - run);
        return false;
    }

    private static ToolkitFrame DecodeBody(ReadOnlySpan<byte> body, ToolkitLimits limits)
    {
        byte[]? decompressed = Decompress(body, limits);
        ReadOnlySpan<byte> fields = decompressed ?? body;

        ReadOnlySpan<byte> modeField = ReadField(ref fields, "mode");
        if (modeField.Length != 1)
        {
            throw new FrameFormatException($"Toolkit frame mode field is {modeField.Length} bytes, not 1.");
        }

        if (modeField[0] > (byte)ToolkitMode.Connection)
        {
            throw new FrameFormatException($"Toolkit frame mode {modeField[0]} is unknown.");
        }

        var mode = (ToolkitMode)modeField[0];

        ReadOnlySpan<byte> dataField = ReadField(ref fields, "data");
        if (!fields.IsEmpty)
        {
            throw new FrameFormatException($"Toolkit frame body has {fields.Length} bytes after its two fields.");
        }

        byte[] data = dataField.ToArray();
        data.AsSpan().Reverse();
        return new ToolkitFrame(mode, data);
    }

    // The C++ decoder's rule: read chunks while a whole chunk header remains and both of its sizes
    // are positive; no chunk at all means "not compressed" (null: use the raw body). Bytes after
    // the last chunk are ignored, as there. The headers are all checked first, so the output is
    // allocated once, at its final size, and only within the limit.
    private static byte[]? Decompress(ReadOnlySpan<byte> body, ToolkitLimits limits)
    {
        int chunks = 0;
        int offset = 0;
        long total = 0;
        while (TryReadChunkHeader(body, offset, out int original, out int compressed))
        {
            if (compressed > body.Length - offset - ChunkHeaderSize)
            {
                throw new FrameFormatException($"Toolkit LZ4 chunk declares {compressed} compressed bytes, but only {body.Length - offset - ChunkHeaderSize} remain in the body.");
            }

            total += original;
            if (total > limits.MaxDecompressedBytes)
            {
                throw new FrameFormatException($"Toolkit LZ4 chunks declare {total} or more decompressed bytes, over the limit of {limits.MaxDecompressedBytes}.");
            }

            if (original > compressed * MaxLz4Expansion)
            {
                throw new FrameFormatException($"Toolkit LZ4 chunk declares {original} decompressed bytes, more than {compressed} compressed bytes can hold.");
            }

            chunks++;
            offset += ChunkHeaderSize + compressed;
        }

        if (chunks == 0)
        {
            return null;
        }

        var output = new byte[total];
        offset = 0;
        int written = 0;
        for (int i = 0; i < chunks; i++)
        {
            TryReadChunkHeader(body, offset, out int original, out int compressed);
            ReadOnlySpan<byte> block = body.Slice(offset + ChunkHeaderSize, compressed);

            // Linked blocks: the C++ sender compresses with a streaming context, so a block may
            // match into the output decoded before it, which is passed as the dictionary.
            int dictionaryStart = Math.Max(0, written - MaxLz4Window);
            int decoded = LZ4Codec.Decode(block, output.AsSpan(written, original), output.AsSpan(dictionaryStart, written - dictionaryStart));
            if (decoded != original)
            {
                throw new FrameFormatException(decoded < 0
                    ? $"Toolkit LZ4 chunk {i} is corrupt or decodes to more than its declared {original} bytes."
                    : $"Toolkit LZ4 chunk {i} decodes to {decoded} bytes, not its declared {original}.");
            }

            written += decoded;
            offset += ChunkHeaderSize + compressed;
        }

        return output;
    }

    private static bool TryReadChunkHeader(ReadOnlySpan<byte> body, int offset, out int original, out int compressed)
    {
        original = 0;
        compressed = 0;
        if (body.Length - offset < ChunkHeaderSize)
        {
            return false;
        }

        original = BinaryPrimitives.ReadInt32LittleEndian(body[offset..]);
        compressed = BinaryPrimitives.ReadInt32LittleEndian(body[(offset + sizeof(int))..]);
        return original > 0 && compressed > 0;
    }

    private static ReadOnlySpan<byte> ReadField(ref ReadOnlySpan<byte> fields, string name)
    {
        if (fields.Length < FieldLengthSize)
        {
            throw new FrameFormatException($"Toolkit frame body ends before the length of its {name} field.");
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(fields);
        fields = fields[FieldLengthSize..];
        if (length > (ulong)fields.Length)
        {
            throw new FrameFormatException($"Toolkit frame {name} field declares {length} bytes, but only {fields.Length} remain in the body.");
        }

        ReadOnlySpan<byte> field = fields[..(int)length];
        fields = fields[(int)length..];
        return field;
    }

    private static void WriteFields(Span<byte> target, ToolkitMode mode, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(target, 1);
        target[FieldLengthSize] = (byte)mode;
        Span<byte> dataField = target[(FieldLengthSize + 1)..];
        BinaryPrimitives.WriteUInt64LittleEndian(dataField, (ulong)data.Length);
        Span<byte> reversed = dataField[FieldLengthSize..];
        data.CopyTo(reversed);
        reversed.Reverse();
    }

    // Writes the start code, the body length and the end code around a body already in place.
    private static byte[] FinishFrame(byte[] frame, int bodyLength)
    {
        StartCode.CopyTo(frame);
        BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(CodeSize), (ulong)bodyLength);
        EndCode.CopyTo(frame.AsSpan(HeaderSize + bodyLength));
        return frame;
    }
}
