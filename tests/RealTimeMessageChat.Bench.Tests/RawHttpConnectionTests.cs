using System.Net;
using System.Net.Sockets;
using System.Text;
using RealTimeMessageChat.Bench.Http;

namespace RealTimeMessageChat.Bench.Tests;

/// <summary>The generator's raw HTTP client against canned answers, cut at every byte boundary the socket allows.</summary>
public sealed class RawHttpConnectionTests
{
    private static readonly byte[] Request = "POST /publishMessage HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"u8.ToArray();

    [Fact]
    public async Task SendAsync_ContentLengthThenChunkedThenClose_ReadsEachStatusAndKeepsTheConnectionUntilClose()
    {
        string[] answers =
        [
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"success\":true}\n",
            "HTTP/1.1 429 Too Many Requests\r\nTransfer-Encoding: chunked\r\nRetry-After: 1\r\n\r\n5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n",
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        ];
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task server = ServeAsync(listener, answers, dribble: true);

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(listener.LocalEndpoint, CancellationToken.None);
        int first = await connection.SendAsync(Request, CancellationToken.None);
        bool reusableAfterFirst = connection.Reusable;
        int second = await connection.SendAsync(Request, CancellationToken.None);
        int third = await connection.SendAsync(Request, CancellationToken.None);
        await server;

        Assert.Equal([202, 429, 503], [first, second, third]);
        Assert.True(reusableAfterFirst);
        Assert.False(connection.Reusable);
    }

    [Fact]
    public async Task SendAsync_ServerClosesMidResponse_ThrowsIOException()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task server = ServeAsync(listener, ["HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\n{\"cut"], dribble: false);

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(listener.LocalEndpoint, CancellationToken.None);
        await Assert.ThrowsAsync<IOException>(() => connection.SendAsync(Request, CancellationToken.None));
        await server;
        Assert.False(connection.Reusable);
    }

    /// <summary>Answers each request (read up to its 2-byte body) with the next canned answer, then closes.</summary>
    private static async Task ServeAsync(TcpListener listener, string[] answers, bool dribble)
    {
        using Socket socket = await listener.AcceptSocketAsync();
        socket.NoDelay = true;
        var buffer = new byte[Request.Length];
        foreach (string answer in answers)
        {
            for (int read = 0; read < Request.Length;)
            {
                read += await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            }

            byte[] bytes = Encoding.ASCII.GetBytes(answer);
            int step = dribble ? 7 : bytes.Length;
            for (int at = 0; at < bytes.Length; at += step)
            {
                await socket.SendAsync(bytes.AsMemory(at, Math.Min(step, bytes.Length - at)), SocketFlags.None);
                if (dribble)
                {
                    await Task.Delay(1);
                }
            }
        }

        socket.Shutdown(SocketShutdown.Both);
    }
}
