using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RealTimeMessageChat.Bench.Http;

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends a ready-made request in one write and reads back
/// only what it needs: the status code, then the body by <c>Content-Length</c> or chunks, skipped.
/// This is how wrk drives a server. HttpClient cost the generator about 140 µs of CPU per publish
/// here, CPU the system under test needs on a two-core machine; this costs a few.
/// One request at a time per connection, as a browser or curl does (no pipelining).
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private const int HeaderLimit = 16 * 1024;
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[HeaderLimit * 2];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket) => _socket = socket;

    /// <summary>False once the server said <c>Connection: close</c> or the exchange failed: open a new one.</summary>
    public bool Reusable { get; private set; } = true;

    public static async Task<RawHttpConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new RawHttpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="request"/> (head and body) and returns the response's status code.</summary>
    public async Task<int> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        Reusable = false;
        while (!request.IsEmpty)
        {
            int sent = await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
            request = request[sent..];
        }

        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf(HeaderEnd)) < 0)
        {
            await FillAsync(cancellationToken);
        }

        ReadOnlySpan<byte> head = _buffer.AsSpan(_start, headEnd);
        int status = ParseStatus(head);
        (long contentLength, bool chunked, bool close) = ParseHeaders(head);
        _start += headEnd + HeaderEnd.Length;

        if (chunked)
        {
            await SkipChunksAsync(cancellationToken);
        }
        else
        {
            await SkipAsync(contentLength, cancellationToken);
        }

        Reusable = !close;
        return status;
    }

    public void Dispose() => _socket.Dispose();

    private static int ParseStatus(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 202 Accepted"
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new IOException("Not an HTTP/1.x status line: " + Encoding.ASCII.GetString(head[..Math.Min(head.Length, 40)]));
        }

        return status;
    }

    private static (long ContentLength, bool Chunked, bool Close) ParseHeaders(ReadOnlySpan<byte> head)
    {
        long length = 0;
        bool chunked = false, close = false;
        foreach (Range range in head.Split(LineEnd))
        {
            ReadOnlySpan<byte> line = head[range];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            string name = Encoding.ASCII.GetString(line[..colon]);
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim((byte)' ');
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!Utf8Parser.TryParse(value, out length, out _))
                {
                    throw new IOException("Bad Content-Length.");
                }
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
        }

        return (length, chunked, close);
    }

    private async Task SkipChunksAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf(LineEnd)) < 0)
            {
                await FillAsync(cancellationToken);
            }

            ReadOnlySpan<byte> sizeLine = _buffer.AsSpan(_start, lineEnd);
            int extension = sizeLine.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(extension < 0 ? sizeLine : sizeLine[..extension], out ulong chunkSize, out _, 'X'))
            {
                throw new IOException("Bad chunk size.");
            }

            long size = checked((long)chunkSize);
            _start += lineEnd + LineEnd.Length;

            // The last chunk is followed by no trailers from Kestrel, then the final CRLF.
            await SkipAsync(size + LineEnd.Length, cancellationToken);
            if (size == 0)
            {
                return;
            }
        }
    }

    private async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken);
            }

            int take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start == 0)
            {
                throw new IOException($"Response head over {_buffer.Length} bytes.");
            }

            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0)
        {
            throw new IOException("The server closed the connection.");
        }

        _end += read;
    }
}
