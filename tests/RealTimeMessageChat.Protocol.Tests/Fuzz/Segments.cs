using System.Buffers;

namespace RealTimeMessageChat.Protocol.Tests.Fuzz;

/// <summary>Bytes cut into a multi-segment <see cref="ReadOnlySequence{T}"/> at random points, as a pipe may hand them over.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, Random random)
    {
        if (bytes.Length < 2 || random.Next(4) == 0)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        Segment? first = null, last = null;
        for (int offset = 0; offset < bytes.Length;)
        {
            int length = Math.Min(bytes.Length - offset, random.Next(3) == 0 ? 1 : random.Next(1, Math.Max(2, bytes.Length / 2)));
            var next = new Segment(bytes.AsMemory(offset, length), last);
            first ??= next;
            last = next;
            offset += length;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
