using System.Text.Json.Nodes;

namespace RealTimeMessageChat.IntegrationTests.Chaos;

/// <summary>
/// A TCP client that stays: when its connection ends it reconnects, to the next MainServer in the
/// list (so clients of a killed server move to the other one), with <c>last_seq</c> set to the
/// newest seq it holds, as the contract tells a client to. It keeps every broadcast in arrival order
/// and does not de-duplicate: a message that arrives twice must show up in the check.
/// </summary>
public sealed class ChaosReceiver : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<int>> _ports;
    private readonly string _token;
    private readonly List<(long Seq, Guid Id)> _received = [];
    private readonly HashSet<Guid> _ids = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    public ChaosReceiver(string user, string token, int firstServer, Func<IReadOnlyList<int>> ports)
    {
        User = user;
        _token = token;
        _ports = ports;
        _loop = Task.Run(() => RunAsync(firstServer));
    }

    public string User { get; }

    /// <summary>Successful handshakes; more than one means it reconnected.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public bool IsConnected { get; private set; }

    public string? LastError { get; private set; }

    public int Count
    {
        get
        {
            lock (_received)
            {
                return _received.Count;
            }
        }
    }

    public bool Has(Guid id)
    {
        lock (_received)
        {
            return _ids.Contains(id);
        }
    }

    public bool HasAll(IEnumerable<Guid> ids)
    {
        lock (_received)
        {
            return ids.All(_ids.Contains);
        }
    }

    public List<(long Seq, Guid Id)> Snapshot()
    {
        lock (_received)
        {
            return [.. _received];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync(int server)
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            IReadOnlyList<int> ports = _ports();
            try
            {
                await ConnectAndReceiveAsync(ports[server % ports.Count], stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LastError = e.Message;
            }

            IsConnected = false;
            server++;
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ConnectAndReceiveAsync(int port, CancellationToken stop)
    {
        await using TestFrameClient frames = await TestFrameClient.ConnectAsync("127.0.0.1", port, stop);
        long lastSeq;
        lock (_received)
        {
            lastSeq = _received.Count == 0 ? 0 : _received[^1].Seq;
        }

        await frames.SendAsync(new { command = "connection", id = User, token = _token, sub_id = "", last_seq = lastSeq }, stop);
        JsonObject reply = await frames.ReceiveAsync(stop) ?? throw new IOException("closed during the handshake");
        if ((string?)reply["command"] != "connection" || (bool?)reply["condition"] != true)
        {
            throw new IOException("handshake refused: " + reply.ToJsonString());
        }

        Interlocked.Increment(ref _connections);
        IsConnected = true;
        while (true)
        {
            JsonObject frame = await frames.ReceiveAsync(stop) ?? throw new IOException("the server closed the connection");
            switch ((string?)frame["command"])
            {
                case "send_broadcast_message":
                    JsonNode message = frame["message"]!;
                    var entry = ((long)message["seq"]!, Guid.Parse((string)message["message_id"]!));
                    lock (_received)
                    {
                        _received.Add(entry);
                        _ids.Add(entry.Item2);
                    }

                    break;
                case "heartbeat:ping":
                    await frames.SendAsync(new { command = "heartbeat:pong" }, stop);
                    break;
            }
        }
    }
}
