using System.Buffers;

namespace RealTimeMessageChat.Protocol;

/// <summary>The project's framing (<see cref="FrameCodec"/>) with a fixed payload limit.</summary>
public sealed class LengthPrefixedFrameCodec : IFrameCodec
{
    public LengthPrefixedFrameCodec(int maxPayloadSize = FrameCodec.DefaultMaxPayloadSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadSize, 1);
        MaxPayloadSize = maxPayloadSize;
    }

    public int MaxPayloadSize { get; }

    public bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload) =>
        FrameCodec.TryReadFrame(ref buffer, MaxPayloadSize, out payload);

    public byte[] Encode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0 || payload.Length > MaxPayloadSize)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"Payload must be 1 to {MaxPayloadSize} bytes.");
        }

        return FrameCodec.Encode(payload);
    }
}
