using System.Net;
using System.Net.Sockets;

namespace RealTimeMessageChat.IntegrationTests.Chaos;

/// <summary>
/// A TCP relay on loopback between one process and a server, which can cut the network between
/// them without closing a connection: while partitioned no byte crosses in either direction, and
/// what was sent waits, as TCP's retransmissions would carry it once a real partition heals. Neither
/// side sees a FIN or a reset; each sees only silence, which is what a partition looks like.
/// </summary>
public sealed class PartitionProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _acceptLoop;
    private volatile TaskCompletionSource _healed = CompletedSource();

    public PartitionProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool IsPartitioned => !_healed.Task.IsCompleted;

    /// <summary>From now on nothing crosses until <see cref="Heal"/>.</summary>
    public void Partition()
    {
        if (!IsPartitioned)
        {
            _healed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Heal() => _healed.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Heal();
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (Socket socket in _sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client = await _listener.AcceptSocketAsync(_stop.Token);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            _ = RelayPairAsync(client, server);
        }
    }

    private async Task RelayPairAsync(Socket client, Socket server)
    {
        try
        {
            // A connection opened during a partition waits for the heal before it reaches the server.
            await _healed.Task.WaitAsync(_stop.Token);
            await server.ConnectAsync(_target, _stop.Token);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                // Bytes that arrived just before or during a partition are held, not dropped.
                await _healed.Task.WaitAsync(_stop.Token);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
