using System.Diagnostics.Metrics;

namespace RealTimeMessageChat.MainServer;

/// <summary>
/// The MainServer's instruments, exported by <c>/metrics</c> as <c>rtmc_mainserver_*</c> (counters
/// with <c>_total</c>). Units follow OpenTelemetry's annotations, which the Prometheus names omit.
/// </summary>
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
    private readonly Counter<long> _guestsAccepted;
    private readonly UpDownCounter<long> _guestsCurrent;
    private readonly Counter<long> _tlsHandshakeFailures;
    private readonly Counter<long> _refusedPerAddress;
    private readonly Counter<long> _presenceFrames;
    private readonly Counter<long> _presenceEntries;
    private readonly Counter<long> _presenceDeliveries;
    private readonly UpDownCounter<long> _roomsFollowed;
    private readonly Counter<long> _feedReads;
    private readonly Counter<long> _wakesIgnored;
    private readonly Counter<long> _typingRelayed;
    private readonly Counter<long> _typingDropped;
    private readonly Counter<long> _readsStored;
    private readonly Counter<long> _readsFailed;

    public MainServerMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _connectionsAccepted = meter.CreateCounter<long>("rtmc.mainserver.connections.accepted", unit: "{connection}", description: "TCP connections accepted");
        _connectionsCurrent = meter.CreateUpDownCounter<long>("rtmc.mainserver.connections.current", unit: "{connection}", description: "TCP connections open now");
        _framesBroadcast = meter.CreateCounter<long>("rtmc.mainserver.frames.broadcast", unit: "{message}", description: "Messages read from Redis and offered to every client");
        _deliveries = meter.CreateCounter<long>("rtmc.mainserver.deliveries", unit: "{frame}", description: "Broadcast frames offered to a client (live: once per batch for all subscribers) or replayed from Redis");
        _slowClientsEvicted = meter.CreateCounter<long>("rtmc.mainserver.slow_clients.evicted", unit: "{connection}", description: "Clients disconnected because their backlog passed its bounds (bytes, frames or age)");
        _protocolErrors = meter.CreateCounter<long>("rtmc.mainserver.protocol.errors", unit: "{error}", description: "Bad frames, failed handshakes and unknown commands");
        _guestsAccepted = meter.CreateCounter<long>("rtmc.mainserver.guests.accepted", unit: "{connection}", description: "C++ toolkit clients admitted by the shared key (receive-only guests of the global room)");
        _guestsCurrent = meter.CreateUpDownCounter<long>("rtmc.mainserver.guests.current", unit: "{connection}", description: "C++ toolkit guests connected now");
        _replayedFrames = meter.CreateCounter<long>("rtmc.mainserver.frames.replayed", unit: "{frame}", description: "Frames a client's catch-up read back from Redis");
        _refusedPerAddress = meter.CreateCounter<long>("rtmc.mainserver.connections.refused_per_address", unit: "{connection}", description: "Connections refused at accept because their address had max_connections_per_address open");
        _presenceFrames = meter.CreateCounter<long>("rtmc.mainserver.presence.frames", unit: "{frame}", description: "user_status frames encoded (once each, for every client)");
        _presenceEntries = meter.CreateCounter<long>("rtmc.mainserver.presence.entries", unit: "{entry}", description: "Shared presence ring entries (a coalescing window's frames, packed)");
        _presenceDeliveries = meter.CreateCounter<long>("rtmc.mainserver.presence.deliveries", unit: "{frame}", description: "user_status frames offered to a client (counted once per window for all subscribers)");
        _roomsFollowed = meter.CreateUpDownCounter<long>("rtmc.mainserver.rooms.followed", unit: "{room}", description: "Rooms whose Redis stream this server reads now (the global room, and every other room one of its clients is subscribed to)");
        _feedReads = meter.CreateCounter<long>("rtmc.mainserver.feed.reads", unit: "{read}", description: "Stream reads the message feed made (one per followed room per pass)");
        _wakesIgnored = meter.CreateCounter<long>("rtmc.mainserver.feed.wakes_ignored", unit: "{wake}", description: "Append notifications for rooms this server does not follow (no client of it is in the room)");
        _typingRelayed = meter.CreateCounter<long>("rtmc.mainserver.typing.relayed", unit: "{frame}", description: "typing frames sent to clients");
        _typingDropped = meter.CreateCounter<long>("rtmc.mainserver.typing.dropped", unit: "{command}", description: "typing commands dropped by typing_min_interval_ms or a failed relay");
        _readsStored = meter.CreateCounter<long>("rtmc.mainserver.reads.stored", unit: "{command}", description: "read commands written to room_reads");
        _readsFailed = meter.CreateCounter<long>("rtmc.mainserver.reads.failed", unit: "{command}", description: "read commands that could not be written (PostgreSQL error, or the queue full)");
        _tlsHandshakeFailures = meter.CreateCounter<long>("rtmc.mainserver.tls.handshake_failures", unit: "{connection}", description: "Connections closed because their TLS handshake failed or did not finish within handshake_timeout_sec (use_ssl)");
    }

    public void ConnectionAccepted()
    {
        _connectionsAccepted.Add(1);
        _connectionsCurrent.Add(1);
    }

    public void ConnectionClosed() => _connectionsCurrent.Add(-1);

    /// <summary>Once per batch the feed appended: <paramref name="frames"/> messages offered to <paramref name="deliveries"/> client slots in all.</summary>
    public void Broadcast(long frames, long deliveries)
    {
        _framesBroadcast.Add(frames);
        _deliveries.Add(deliveries);
    }

    /// <summary>Once per presence window: <paramref name="frames"/> frames in <paramref name="entries"/> shared entries, offered <paramref name="deliveries"/> times in all.</summary>
    public void PresenceBroadcast(long frames, long entries, long deliveries)
    {
        _presenceFrames.Add(frames);
        _presenceEntries.Add(entries);
        _presenceDeliveries.Add(deliveries);
    }

    /// <summary>Once per read a client's writer made from Redis.</summary>
    public void Replayed(long frames)
    {
        _replayedFrames.Add(frames);
        _deliveries.Add(frames);
    }

    public void SlowClientEvicted() => _slowClientsEvicted.Add(1);

    public void ProtocolError() => _protocolErrors.Add(1);

    public void GuestConnected()
    {
        _guestsAccepted.Add(1);
        _guestsCurrent.Add(1);
    }

    public void GuestClosed() => _guestsCurrent.Add(-1);

    public void TlsHandshakeFailed() => _tlsHandshakeFailures.Add(1);

    public void ConnectionRefusedPerAddress() => _refusedPerAddress.Add(1);

    public void RoomFollowed(long delta) => _roomsFollowed.Add(delta);

    public void FeedRead() => _feedReads.Add(1);

    public void WakeIgnored() => _wakesIgnored.Add(1);

    public void TypingRelayed(long frames) => _typingRelayed.Add(frames);

    public void TypingDropped() => _typingDropped.Add(1);

    public void ReadStored() => _readsStored.Add(1);

    public void ReadFailed() => _readsFailed.Add(1);
}
