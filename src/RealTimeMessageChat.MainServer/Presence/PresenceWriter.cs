using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Options;

namespace RealTimeMessageChat.MainServer.Presence;

/// <summary>
/// Presence writes off the handshake's critical path: connections queue session events, one loop
/// applies whatever has queued as one pipelined batch to Redis (in order, so a session's open
/// precedes its close), then announces the user-level changes it caused (first session open, last
/// one closed, a status text) to every server and hands them to <see cref="PresencePersister"/>
/// for PostgreSQL. The same loop, prompted by the shared <see cref="Networking.ConnectionTimer"/>,
/// renews this server's heartbeat and its users' TTL in one batch and sweeps dead servers
/// (<see cref="PresenceSweep"/>). Presence is advisory: a failure is logged and never costs a
/// client its connection. On stop it drains what is queued and removes this server, for a bounded time.
/// </summary>
internal sealed partial class PresenceWriter(
    IPresenceStore store,
    PresencePersister persister,
    IOptions<MainServerOptions> options,
    ILogger<PresenceWriter> logger) : BackgroundService
{
    private const int MaxBatch = 512;
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<PresenceUpdate> _queue = Channel.CreateUnbounded<PresenceUpdate>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeSpan _userTtl = TimeSpan.FromSeconds(options.Value.PresenceTtlSeconds);
    private readonly TimeSpan _serverTtl = TimeSpan.FromSeconds(options.Value.ServerDeadAfterSeconds);
    private readonly long _userRefreshMs = options.Value.PresenceTtlSeconds * 1000L / 3;
    private readonly long _heartbeatMs = options.Value.ServerHeartbeatSeconds * 1000L;

    // Sessions open on this server per user; touched only by the write loop.
    private readonly Dictionary<string, int> _local = new(StringComparer.Ordinal);
    private long _lastUserRefresh = Environment.TickCount64;
    private long _lastHeartbeat = long.MinValue / 2;

    private enum Kind
    {
        Session,
        Heartbeat,
        UserRefresh,
    }

    private readonly TaskCompletionSource _named = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _serverId = string.Empty;

    /// <summary>
    /// Unique per process (<c>name#nonce</c>); set by the listener once its port is known, before
    /// any client connects. Nothing is written to Redis before it is set: a provisional id would be
    /// recorded as a server of its own, and later swept as a dead one.
    /// </summary>
    public string ServerId
    {
        get => _serverId;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            _serverId = value;
            _named.TrySetResult();
        }
    }

    public void Online(string userId, string sessionId) => Enqueue(new SessionUpdate(SessionUpdateKind.Open, userId, sessionId));

    public void Offline(string userId, string sessionId) => Enqueue(new SessionUpdate(SessionUpdateKind.Close, userId, sessionId));

    public void Status(string userId, string status) => Enqueue(new SessionUpdate(SessionUpdateKind.Status, userId, status));

    /// <summary>Called by the shared connection timer every second: queues the periodic work that is due.</summary>
    public void OnTick(long now)
    {
        if (now - _lastHeartbeat >= _heartbeatMs)
        {
            _lastHeartbeat = now;
            _queue.Writer.TryWrite(new PresenceUpdate(Kind.Heartbeat, default));
        }

        if (now - _lastUserRefresh >= _userRefreshMs)
        {
            _lastUserRefresh = now;
            _queue.Writer.TryWrite(new PresenceUpdate(Kind.UserRefresh, default));
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stopped after the listener (registered first), so every connection has queued its close.
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(WriteTimeout + WriteTimeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Whatever is still recorded for this server (a close that failed to write) goes with it.
        if (_named.Task.IsCompleted)
        {
            await RemoveSelfAsync();
        }

        await base.StopAsync(cancellationToken);
    }

    private async Task RemoveSelfAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(WriteTimeout);
            await AnnounceAsync(await store.RemoveServerAsync(ServerId, _userTtl, timeout.Token), timeout.Token);
        }
        catch (Exception ex)
        {
            LogStopFailed(logger, ex, ServerId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _named.Task.WaitAsync(stoppingToken);

        // The heartbeat first, so no sweeper elsewhere takes this server's first sessions for a dead server's.
        await RunSafelyAsync("heartbeat", ct => store.RefreshAsync(ServerId, [], _userTtl, _serverTtl, ct));
        var updates = new List<SessionUpdate>(MaxBatch);
        var sweep = new PresenceSweep(store, ServerId, _userTtl, TimeSpan.FromMilliseconds(_heartbeatMs * 3), logger);
        ChannelReader<PresenceUpdate> reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            bool heartbeat = false;
            bool userRefresh = false;
            while (updates.Count < MaxBatch && reader.TryRead(out PresenceUpdate item))
            {
                switch (item.Kind)
                {
                    case Kind.Heartbeat:
                        heartbeat = true;
                        break;
                    case Kind.UserRefresh:
                        userRefresh = true;
                        break;
                    default:
                        updates.Add(item.Update);
                        Count(item.Update);
                        break;
                }
            }

            if (updates.Count > 0)
            {
                SessionUpdate[] batch = [.. updates];
                updates.Clear();
                await RunSafelyAsync("session batch", async ct => await AnnounceAsync(await store.ApplyAsync(ServerId, batch, _userTtl, ct), ct));
            }

            if (heartbeat || userRefresh)
            {
                string[] users = userRefresh ? [.. _local.Keys] : [];
                await RunSafelyAsync("heartbeat", ct => store.RefreshAsync(ServerId, users, _userTtl, _serverTtl, ct));
            }

            if (heartbeat && !stoppingToken.IsCancellationRequested)
            {
                await RunSafelyAsync("sweep", async ct => await AnnounceAsync(await sweep.RunAsync(ct), ct));
            }
        }
    }

    private void Enqueue(SessionUpdate update) => _queue.Writer.TryWrite(new PresenceUpdate(Kind.Session, update));

    private void Count(SessionUpdate update)
    {
        if (update.Kind == SessionUpdateKind.Open)
        {
            _local[update.UserId] = _local.GetValueOrDefault(update.UserId) + 1;
        }
        else if (update.Kind == SessionUpdateKind.Close && _local.TryGetValue(update.UserId, out int open))
        {
            if (open <= 1)
            {
                _local.Remove(update.UserId);
            }
            else
            {
                _local[update.UserId] = open - 1;
            }
        }
    }

    private async Task AnnounceAsync(ServerRemoval removal, CancellationToken cancellationToken)
    {
        // The users still online elsewhere changed nothing: PostgreSQL is only made sure of them.
        persister.Enqueue(removal.StillOnline);
        await AnnounceAsync(removal.Offline, cancellationToken);
    }

    private async Task AnnounceAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        // PostgreSQL first: it retries on its own, while the announcement is best effort.
        persister.Enqueue(changes);
        await store.PublishAsync(changes, cancellationToken);
    }

    private async Task RunSafelyAsync(string what, Func<CancellationToken, Task> write)
    {
        try
        {
            using var timeout = new CancellationTokenSource(WriteTimeout);
            await write(timeout.Token);
        }
        catch (Exception ex)
        {
            LogPresenceFailed(logger, ex, what);
        }
    }

    private readonly record struct PresenceUpdate(Kind Kind, SessionUpdate Update);

    [LoggerMessage(EventId = 2500, Level = LogLevel.Warning, Message = "Presence {What} failed; connections continue")]
    private static partial void LogPresenceFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Warning, Message = "Presence of server {ServerId} could not be removed at stop; the sweep of a live server will")]
    private static partial void LogStopFailed(ILogger logger, Exception exception, string serverId);
}
