using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace RealTimeMessageChat.Bench.Redis;

/// <summary>Writes RESP commands (arrays of bulk strings) into a buffer, for pipelining.</summary>
internal sealed class RespWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public int Commands { get; private set; }

    public void Clear()
    {
        _buffer.ResetWrittenCount();
        Commands = 0;
    }

    public void BeginCommand(int arguments)
    {
        WritePrefixed((byte)'*', arguments);
        Commands++;
    }

    public void Argument(ReadOnlySpan<byte> value)
    {
        WritePrefixed((byte)'$', value.Length);
        Span<byte> span = _buffer.GetSpan(value.Length + 2);
        value.CopyTo(span);
        span[value.Length] = (byte)'\r';
        span[value.Length + 1] = (byte)'\n';
        _buffer.Advance(value.Length + 2);
    }

    public void Argument(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        WritePrefixed((byte)'$', length);
        Span<byte> span = _buffer.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(value, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        _buffer.Advance(length + 2);
    }

    public void Argument(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out int written);
        Argument(digits[..written]);
    }

    public void Command(params string[] arguments)
    {
        BeginCommand(arguments.Length);
        foreach (string argument in arguments)
        {
            Argument(argument);
        }
    }

    private void WritePrefixed(byte kind, int value)
    {
        Span<byte> span = _buffer.GetSpan(16);
        span[0] = kind;
        Utf8Formatter.TryFormat(value, span[1..], out int written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        _buffer.Advance(3 + written);
    }
}
