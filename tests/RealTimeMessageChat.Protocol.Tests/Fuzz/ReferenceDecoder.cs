using System.Buffers.Binary;

namespace RealTimeMessageChat.Protocol.Tests.Fuzz;

/// <summary>How a byte stream ends under CONTRACT.md's framing.</summary>
internal enum StreamEnding
{
    /// <summary>After a whole frame (or with no bytes at all).</summary>
    Clean,

    /// <summary>In the middle of a header or a payload.</summary>
    Truncated,

    /// <summary>At a header declaring 0 bytes or more than the limit: the codec must refuse it.</summary>
    Refused,
}

/// <summary>
/// The framing written the plainest way, over one array, independently of <see cref="FrameCodec"/>:
/// the frames a stream holds, in order, and how it ends. The fuzz tests hold the codec to it.
/// </summary>
internal static class ReferenceDecoder
{
    public static (List<byte[]> Frames, StreamEnding Ending) Decode(byte[] bytes, int maxPayload)
    {
        var frames = new List<byte[]>();
        int offset = 0;
        while (true)
        {
            if (offset == bytes.Length)
            {
                return (frames, StreamEnding.Clean);
            }

            if (bytes.Length - offset < 4)
            {
                return (frames, StreamEnding.Truncated);
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
            if (length == 0 || length > (uint)maxPayload)
            {
                return (frames, StreamEnding.Refused);
            }

            if ((uint)(bytes.Length - offset - 4) < length)
            {
                return (frames, StreamEnding.Truncated);
            }

            frames.Add(bytes.AsSpan(offset + 4, (int)length).ToArray());
            offset += 4 + (int)length;
        }
    }
}
