using System.Net;
using System.Net.Sockets;
using RealTimeMessageChat.Infrastructure.Messaging;

namespace RealTimeMessageChat.Infrastructure.Tests.Messaging;

/// <summary>
/// The broker stream gathers the frames written before its send loop runs into one send, keeps
/// their order, holds writers back when the socket falls behind, and fails writes once a send failed.
/// </summary>
public sealed class CoalescingNetworkStreamTests : IAsyncLifetime
{
    private readonly List<IThreadPoolWorkItem> _scheduled = [];
    private Socket _client = null!;
    private Socket _peer = null!;

    public async ValueTask InitializeAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Task<Socket> accept = listener.AcceptAsync();
        await _client.ConnectAsync(listener.LocalEndPoint!);
        _peer = await accept;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _peer.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Write_ManyFramesBeforeTheSendLoopRuns_LeaveInOneSendInOrder()
    {
        using var stream = new CoalescingNetworkStream(_client, _scheduled.Add);

        for (int i = 0; i < 100; i++)
        {
            await stream.WriteAsync(Frame(i));
            await stream.FlushAsync();
        }

        Assert.Single(_scheduled);
        Assert.Equal(0, stream.Sends);
        RunScheduled();

        byte[] received = await ReceiveAsync(100 * 100);
        Assert.Equal(Enumerable.Range(0, 100).SelectMany(Frame).ToArray(), received);
        Assert.Equal(1, stream.Sends);
    }

    [Fact]
    public async Task Write_AfterTheLoopDrained_SchedulesItAgain()
    {
        using var stream = new CoalescingNetworkStream(_client, _scheduled.Add);
        await stream.WriteAsync(Frame(1));
        RunScheduled();
        Assert.Equal(Frame(1), await ReceiveAsync(100));

        await stream.WriteAsync(Frame(2));

        Assert.Single(_scheduled);
        RunScheduled();
        Assert.Equal(Frame(2), await ReceiveAsync(100));
        Assert.Equal(2, stream.Sends);
    }

    [Fact]
    public async Task Write_ConcurrentWritersOnTheThreadPool_EveryFrameArrivesOnceInEachWritersOrder()
    {
        using var stream = new CoalescingNetworkStream(_client);
        const int Writers = 4, PerWriter = 2_000;
        Task receiving = Task.Run(async () =>
        {
            byte[] all = await ReceiveAsync(Writers * PerWriter * 8);
            var next = new int[Writers];
            for (int offset = 0; offset < all.Length; offset += 8)
            {
                int writer = BitConverter.ToInt32(all, offset), n = BitConverter.ToInt32(all, offset + 4);
                Assert.Equal(next[writer]++, n);
            }

            Assert.All(next, count => Assert.Equal(PerWriter, count));
        });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            var frame = new byte[8];
            for (int n = 0; n < PerWriter; n++)
            {
                BitConverter.TryWriteBytes(frame.AsSpan(0, 4), writer);
                BitConverter.TryWriteBytes(frame.AsSpan(4), n);
                await stream.WriteAsync(frame);
            }
        })));

        await receiving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(stream.Sends, 1, Writers * PerWriter);
    }

    [Fact]
    public async Task Write_PastTheBound_WaitsUntilTheSendLoopTookTheBuffer()
    {
        using var stream = new CoalescingNetworkStream(_client, _scheduled.Add);

        ValueTask full = stream.WriteAsync(new byte[CoalescingNetworkStream.MaxPendingBytes]);

        Assert.False(full.IsCompleted);
        Task draining = Task.Run(() => ReceiveAsync(CoalescingNetworkStream.MaxPendingBytes));
        RunScheduled();
        await full.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await draining.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Write_AfterASendFailed_ThrowsIOException()
    {
        using var stream = new CoalescingNetworkStream(_client, _scheduled.Add);
        await stream.WriteAsync(Frame(1));
        _client.Dispose();

        RunScheduled();

        await Assert.ThrowsAsync<IOException>(async () => await stream.WriteAsync(Frame(2)));
    }

    private static byte[] Frame(int n) => Enumerable.Repeat((byte)n, 100).ToArray();

    private void RunScheduled()
    {
        IThreadPoolWorkItem[] items = [.. _scheduled];
        _scheduled.Clear();
        foreach (IThreadPoolWorkItem item in items)
        {
            item.Execute();
        }
    }

    private async Task<byte[]> ReceiveAsync(int count)
    {
        var buffer = new byte[count];
        int read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (read < count)
        {
            int n = await _peer.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, n);
            read += n;
        }

        return buffer;
    }
}
