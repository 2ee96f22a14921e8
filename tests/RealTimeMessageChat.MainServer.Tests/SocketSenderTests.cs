using System.Net;
using System.Net.Sockets;
using RealTimeMessageChat.MainServer.Networking;
using RealTimeMessageChat.MainServer.Tests.Support;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class SocketSenderTests
{
    [Fact]
    public void Remainder_SkipsWholeSegmentsAndSlicesThePartlySentOne()
    {
        byte[] a = [1, 2, 3];
        byte[] b = [4, 5];
        byte[] c = [6, 7, 8, 9];
        List<ArraySegment<byte>> segments = [a, b, c];

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], Flatten(SocketSender.Remainder(segments, 0)));
        Assert.Equal([5, 6, 7, 8, 9], Flatten(SocketSender.Remainder(segments, 4)));
        Assert.Equal([6, 7, 8, 9], Flatten(SocketSender.Remainder(segments, 5)));
        Assert.Empty(SocketSender.Remainder(segments, 9));
    }

    [Fact]
    public async Task SendAsync_SmallBatch_ArrivesWhole()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        (Socket server, Socket client) = await ConnectedPairAsync();
        using (server)
        using (client)
        {
            List<ArraySegment<byte>> segments = [.. Enumerable.Range(0, 100).Select(i => new ArraySegment<byte>(Pattern(i, 128)))];

            await SocketSender.SendAsync(server, segments);

            byte[] received = await ReceiveExactlyAsync(client, 100 * 128, cts.Token);
            Assert.Equal(Flatten(segments), received);
        }
    }

    [Fact]
    public async Task SendAsync_PeerNotReading_SendsTheRestOnceItReadsInOrder()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        (Socket server, Socket client) = await ConnectedPairAsync();
        using (server)
        using (client)
        {
            server.SendBufferSize = 16 * 1024;
            client.ReceiveBufferSize = 16 * 1024;

            // Far more than both socket buffers hold: the first, non-blocking try sends part of it.
            List<ArraySegment<byte>> segments = [.. Enumerable.Range(0, 400).Select(i => new ArraySegment<byte>(Pattern(i, 1000)))];
            ValueTask send = SocketSender.SendAsync(server, segments);
            Assert.False(send.IsCompleted);

            byte[] received = await ReceiveExactlyAsync(client, 400 * 1000, cts.Token);
            await send.AsTask().WaitAsync(cts.Token);
            Assert.Equal(Flatten(segments), received);
        }
    }

    private static byte[] Pattern(int index, int length) =>
        [.. Enumerable.Range(0, length).Select(j => (byte)(index * 31 + j))];

    private static byte[] Flatten(IEnumerable<ArraySegment<byte>> segments) => [.. segments.SelectMany(s => s)];

    private static async Task<(Socket Server, Socket Client)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        Socket server = await listener.AcceptAsync();
        server.Blocking = false;
        return (server, client);
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int length, CancellationToken cancellationToken)
    {
        var buffer = new byte[length];
        int read = 0;
        while (read < length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            Assert.NotEqual(0, n);
            read += n;
        }

        return buffer;
    }
}
