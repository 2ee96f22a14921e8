using System.Buffers;

namespace RealTimeMessageChat.Protocol.Toolkit;

/// <summary>
/// The C++ toolkit's framing behind the per-connection <see cref="IFrameCodec"/> seam: a frame read
/// hands out its data and keeps its mode in <see cref="LastMode"/>; a payload written goes out as a
/// Message frame, uncompressed by default (the C++ client accepts it, and it costs nothing) or, with
/// <c>compress</c>, as LZ4 chunks. One instance per connection, used by that connection's receive
/// loop only.
/// </summary>
public sealed class ToolkitMessageCodec(ToolkitLimits limits, bool compress = false) : IFrameCodec
{
    /// <summary>The mode of the frame <see cref="TryReadFrame"/> returned last.</summary>
    public ToolkitMode LastMode { get; private set; }

    public bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload)
    {
        if (!ToolkitFrameCodec.TryReadFrame(ref buffer, limits, out ToolkitFrame frame))
        {
            payload = default;
            return false;
        }

        LastMode = frame.Mode;
        payload = new ReadOnlySequence<byte>(frame.Data);
        return true;
    }

    public byte[] Encode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0 || payload.Length > limits.MaxBodyBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"Payload must be 1 to {limits.MaxBodyBytes} bytes.");
        }

        return ToolkitFrameCodec.Encode(ToolkitMode.Message, payload, compress);
    }
}
