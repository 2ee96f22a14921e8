using System.Buffers;

namespace RealTimeMessageChat.Protocol;

/// <summary>
/// Framing chosen per connection, so a second wire format (the C++ toolkit's, first byte 0xFD)
/// can be added without touching the connection loops.
/// </summary>
public interface IFrameCodec
{
    /// <summary>False: need more bytes. Throws <see cref="FrameFormatException"/> for bytes that can never be valid.</summary>
    bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload);

    /// <summary>Frames a payload into bytes that can be written as they are.</summary>
    byte[] Encode(ReadOnlySpan<byte> payload);
}
