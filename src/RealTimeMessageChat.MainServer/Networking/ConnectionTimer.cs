using RealTimeMessageChat.MainServer.Presence;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// One timer for every connection: each second it walks the registry and lets each connection
/// check its deadlines (handshake, heartbeat, frame, drain). A timer and a watchdog task per
/// connection cost memory and wake-ups at 10,000 clients; one pass over 10,000 is microseconds.
/// It also prompts presence's periodic batch (this server's heartbeat, its users' TTL, the sweep).
/// </summary>
internal sealed class ConnectionTimer(ConnectionRegistry registry, PresenceWriter presence) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                long now = Environment.TickCount64;
                foreach (ClientConnection? connection in registry.Items)
                {
                    connection?.OnTick(now);
                }

                presence.OnTick(now);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
