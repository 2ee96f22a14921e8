using System.Buffers;
using System.Buffers.Binary;

namespace RealTimeMessageChat.Protocol;

/// <summary>
/// The wire format: a 4-byte unsigned big-endian length <c>N</c>, then <c>N</c> bytes of payload,
/// <c>1 &lt;= N &lt;= maxPayloadSize</c>. Pure functions over buffers: no I/O, no JSON, no allocation.
/// </summary>
public static class FrameCodec
{
    public const int HeaderSize = 4;

    /// <summary>CONTRACT.md's default <c>max_frame_bytes</c>.</summary>
    public const int DefaultMaxPayloadSize = 64 * 1024;

    /// <summary>
    /// Reads one frame. False means "need more bytes"; a <see cref="FrameFormatException"/> means the
    /// stream can never be valid. On success <paramref name="buffer"/> is sliced past the frame.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxPayloadSize, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadBigEndian(out int signedLength))
        {
            return false;
        }

        // The length is unsigned on the wire: 2^31 and above read as negative here, and the
        // unsigned comparison rejects them together with anything over the limit, before any
        // buffer is sized from the declared length.
        uint length = (uint)signedLength;
        if (length == 0)
        {
            throw new FrameFormatException("Frame length 0 is not allowed.");
        }

        if (length > (uint)maxPayloadSize)
        {
            throw new FrameFormatException($"Frame length {length} exceeds the limit of {maxPayloadSize} bytes.");
        }

        if (reader.Remaining < length)
        {
            return false;
        }

        payload = buffer.Slice(reader.Position, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>Writes header and payload into <paramref name="output"/> without flushing.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> span = output.GetSpan(HeaderSize + payload.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, payload.Length);
        payload.CopyTo(span[HeaderSize..]);
        output.Advance(HeaderSize + payload.Length);
    }

    /// <summary>Encodes once so one broadcast frame can be shared by every connection.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderSize + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }
}
