using System.Buffers.Text;
using System.Text;

namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>
/// The content of every message the bench sends: <c>rtmcbench:&lt;19-digit timestamp&gt;:xxxx…</c>,
/// exactly <c>size</c> bytes of ASCII that JSON carries unescaped. The timestamp is the message's
/// <em>scheduled</em> send time in <see cref="System.Diagnostics.Stopwatch"/> ticks (CLOCK_MONOTONIC
/// nanoseconds on Linux), so the receiver measures latency on the same clock, and a sender that
/// falls behind shows up as latency instead of hiding it (no coordinated omission).
/// </summary>
internal static class BenchContent
{
    public const int StampDigits = 19;

    /// <summary>Marker + digits + ':'.</summary>
    public const int MinimumSize = 10 + StampDigits + 1;

    public static ReadOnlySpan<byte> Marker => "rtmcbench:"u8;

    public static string Create(long stamp, int size) => Encoding.ASCII.GetString(CreateBytes(stamp, size));

    public static byte[] CreateBytes(long stamp, int size)
    {
        var bytes = new byte[Math.Max(size, MinimumSize)];
        Write(bytes, stamp);
        return bytes;
    }

    /// <summary>Fills <paramref name="destination"/> (at least <see cref="MinimumSize"/> bytes) with a content of its length.</summary>
    public static void Write(Span<byte> destination, long stamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, MinimumSize);
        ArgumentOutOfRangeException.ThrowIfNegative(stamp);
        Marker.CopyTo(destination);
        Span<byte> digits = destination.Slice(Marker.Length, StampDigits);
        if (!Utf8Formatter.TryFormat(stamp, digits, out int written, new System.Buffers.StandardFormat('D', StampDigits)) || written != StampDigits)
        {
            throw new ArgumentOutOfRangeException(nameof(stamp), "The stamp does not fit in 19 digits.");
        }

        destination[Marker.Length + StampDigits] = (byte)':';
        destination[MinimumSize..].Fill((byte)'x');
    }

    /// <summary>The stamp of a content written by <see cref="Write"/> found anywhere in <paramref name="text"/>; -1 when there is none.</summary>
    public static long FindStamp(ReadOnlySpan<byte> text)
    {
        int at = text.IndexOf(Marker);
        if (at < 0 || text.Length - at < MinimumSize)
        {
            return -1;
        }

        ReadOnlySpan<byte> digits = text.Slice(at + Marker.Length, StampDigits);
        return Utf8Parser.TryParse(digits, out long stamp, out int consumed) && consumed == StampDigits ? stamp : -1;
    }
}
