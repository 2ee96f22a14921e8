using System.Diagnostics.Metrics;

namespace RealTimeMessageChat.MainServer;

/// <summary>The MainServer's instruments, exported by <c>/metrics</c>.</summary>
internal sealed class MainServerMetrics
{
    public const string MeterName = "RealTimeMessageChat.MainServer";

    private readonly Counter<long> _connectionsAccepted;
    private readonly UpDownCounter<long> _connectionsCurrent;
    private readonly Counter<long> _framesBroadcast;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _slowClientsEvicted;
    private readonly Counter<long> _protocolErrors;
    private readonly Counter<long> _replayedFrames;

    public MainServerMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _connectionsAccepted = meter.CreateCounter<long>("mainserver.connections.accepted", description: "TCP connections accepted");
        _connectionsCurrent = meter.CreateUpDownCounter<long>("mainserver.connections.current", description: "TCP connections open now");
        _framesBroadcast = meter.CreateCounter<long>("mainserver.frames.broadcast", description: "Messages read from Redis and offered to every client");
        _deliveries = meter.CreateCounter<long>("mainserver.deliveries", description: "Broadcast frames queued to a client, live or replayed");
        _slowClientsEvicted = meter.CreateCounter<long>("mainserver.slow_clients.evicted", description: "Clients disconnected because their send queue was full");
        _protocolErrors = meter.CreateCounter<long>("mainserver.protocol.errors", description: "Bad frames, failed handshakes and unknown commands");
        _replayedFrames = meter.CreateCounter<long>("mainserver.frames.replayed", description: "Frames a client's catch-up read back from Redis");
    }

    public void ConnectionAccepted()
    {
        _connectionsAccepted.Add(1);
        _connectionsCurrent.Add(1);
    }

    public void ConnectionClosed() => _connectionsCurrent.Add(-1);

    public void FrameBroadcast() => _framesBroadcast.Add(1);

    public void Delivered() => _deliveries.Add(1);

    public void Replayed() => _replayedFrames.Add(1);

    public void SlowClientEvicted() => _slowClientsEvicted.Add(1);

    public void ProtocolError() => _protocolErrors.Add(1);
}
