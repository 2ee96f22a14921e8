using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace RealTimeMessageChat.Bench.Redis;

/// <summary>
/// Parses RESP2 replies out of a byte stream. <see cref="TryRead"/> either consumes one whole reply
/// or nothing, so a reply split across reads is simply retried when more bytes came.
/// </summary>
internal static class RespReader
{
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out RespValue value)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!TryReadValue(ref reader, out value))
        {
            return false;
        }

        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static bool TryReadValue(ref SequenceReader<byte> reader, out RespValue value)
    {
        value = RespValue.Nil;
        if (!reader.TryRead(out byte kind) || !reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
        {
            return false;
        }

        string text = Encoding.UTF8.GetString(line);
        switch (kind)
        {
            case (byte)'+':
                value = new RespValue(RespKind.Simple, text, 0, null);
                return true;
            case (byte)'-':
                value = new RespValue(RespKind.Error, text, 0, null);
                return true;
            case (byte)':':
                value = new RespValue(RespKind.Integer, text, ParseLong(text), null);
                return true;
            case (byte)'$':
                long length = ParseLong(text);
                if (length < 0)
                {
                    return true;
                }

                if (reader.Remaining < length + 2)
                {
                    return false;
                }

                ReadOnlySequence<byte> bulk = reader.UnreadSequence.Slice(0, length);
                reader.Advance(length + 2);
                value = new RespValue(RespKind.Bulk, Encoding.UTF8.GetString(bulk), 0, null);
                return true;
            case (byte)'*':
                long count = ParseLong(text);
                if (count < 0)
                {
                    return true;
                }

                var items = new RespValue[count];
                for (long i = 0; i < count; i++)
                {
                    if (!TryReadValue(ref reader, out items[i]))
                    {
                        return false;
                    }
                }

                value = new RespValue(RespKind.Array, null, count, items);
                return true;
            default:
                throw new IOException($"Unexpected RESP type byte 0x{kind:x2}.");
        }
    }

    private static long ParseLong(string text) =>
        Utf8Parser.TryParse(Encoding.ASCII.GetBytes(text), out long value, out _) ? value : throw new IOException($"Bad RESP number '{text}'.");
}
