using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace RealTimeMessageChat.Bench.Http;

/// <summary>
/// Up to <c>maxConnections</c> <see cref="RawHttpConnection"/>s to one server, each used by one
/// request at a time, and the request bytes built without HttpClient's headers collections.
/// </summary>
internal sealed class RawHttpPool : IDisposable
{
    private readonly IPEndPoint _endPoint;
    private readonly string _host;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<RawHttpConnection> _idle = [];

    public RawHttpPool(Uri baseAddress, int maxConnections)
    {
        IPAddress address = IPAddress.TryParse(baseAddress.Host, out IPAddress? parsed) ? parsed : IPAddress.Loopback;
        _endPoint = new IPEndPoint(address, baseAddress.Port);
        _host = baseAddress.Authority;
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
    }

    /// <summary>POSTs <paramref name="body"/> as JSON with a bearer token; returns the status code. A broken connection is an <see cref="IOException"/>.</summary>
    public async Task<int> PostJsonAsync(string path, string bearerToken, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        byte[] request = BuildRequest(path, bearerToken, body.Span, out int length);
        await _slots.WaitAsync(cancellationToken);
        RawHttpConnection? connection = null;
        try
        {
            if (!_idle.TryTake(out connection))
            {
                connection = await RawHttpConnection.ConnectAsync(_endPoint, cancellationToken);
            }

            int status = await connection.SendAsync(request.AsMemory(0, length), cancellationToken);
            if (connection.Reusable)
            {
                _idle.Add(connection);
                connection = null;
            }

            return status;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException)
        {
            throw new IOException(ex.Message, ex);
        }
        finally
        {
            connection?.Dispose();
            ArrayPool<byte>.Shared.Return(request);
            _slots.Release();
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out RawHttpConnection? connection))
        {
            connection.Dispose();
        }

        _slots.Dispose();
    }

    private byte[] BuildRequest(string path, string bearerToken, ReadOnlySpan<byte> body, out int length)
    {
        string head = $"POST {path} HTTP/1.1\r\nHost: {_host}\r\nAuthorization: Bearer {bearerToken}\r\nContent-Type: application/json\r\nContent-Length: ";
        byte[] request = ArrayPool<byte>.Shared.Rent(Encoding.ASCII.GetByteCount(head) + 24 + body.Length);
        int at = Encoding.ASCII.GetBytes(head, request);
        Utf8Formatter.TryFormat(body.Length, request.AsSpan(at), out int digits);
        at += digits;
        "\r\n\r\n"u8.CopyTo(request.AsSpan(at));
        at += 4;
        body.CopyTo(request.AsSpan(at));
        length = at + body.Length;
        return request;
    }
}
