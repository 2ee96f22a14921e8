using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>Handshake deadline, server pings and the silent-client check.</summary>
internal sealed partial class ClientConnection
{
    // Timeouts are whole seconds, so a one-second tick is precise enough and cheap per connection.
    private static readonly TimeSpan WatchdogTick = TimeSpan.FromSeconds(1);

    private async Task WatchdogAsync()
    {
        long started = Environment.TickCount64;
        long lastPing = started;
        long handshakeMs = _options.HandshakeTimeoutSeconds * 1000L;
        long heartbeatMs = _options.HeartbeatIntervalSeconds * 1000L;
        try
        {
            using var timer = new PeriodicTimer(WatchdogTick);
            while (await timer.WaitForNextTickAsync(_cts.Token))
            {
                long now = Environment.TickCount64;
                if (!_authenticated)
                {
                    if (now - started >= handshakeMs)
                    {
                        _services.Metrics.ProtocolError();
                        LogHandshakeRejected(_logger, Id, "handshake timeout");
                        TrySend(Encode(new ConnectResponse { Condition = false, Error = "handshake timeout" }, ContractsJsonContext.Default.ConnectResponse));
                        RequestClose("handshake timeout");
                        return;
                    }

                    continue;
                }

                if (now - Volatile.Read(ref _lastInboundTicks) >= 3 * heartbeatMs)
                {
                    LogClientSilent(_logger, Id, UserId, _options.HeartbeatIntervalSeconds * 3);
                    RequestClose("silent for three heartbeat intervals");
                    return;
                }

                if (now - lastPing >= heartbeatMs)
                {
                    lastPing = now;
                    TrySend(PingFrame);
                }
            }
        }
        catch (OperationCanceledException)
        {
            LogLoopStopped(_logger, Id, "watchdog");
        }
    }
}
