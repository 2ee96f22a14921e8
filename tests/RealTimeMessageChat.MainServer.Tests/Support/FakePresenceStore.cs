using System.Collections.Concurrent;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServer.Tests.Support;

/// <summary>
/// Presence in memory with Redis's rules (sessions per user over every server, a user online while
/// any session is open), recording each call; can be told to fail, to show that presence never
/// breaks a connection. Published changes reach subscribers only when <see cref="Loopback"/> is set,
/// so tests that do not look at <c>user_status</c> frames never see one.
/// </summary>
internal sealed class FakePresenceStore : IPresenceStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<string>> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _servers = new(StringComparer.Ordinal);
    private readonly List<Action<IReadOnlyList<PresenceChange>>> _subscribers = [];
    private long _clock = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentQueue<PresenceChange> Published { get; } = new();

    public bool Fail { get; set; }

    public bool Loopback { get; set; }

    /// <summary>Servers whose heartbeat is gone (a test's stand-in for an expired key).</summary>
    public ConcurrentDictionary<string, bool> Dead { get; } = new();

    public ConcurrentDictionary<string, int> Refreshed { get; } = new();

    public TaskCompletionSource<string> StatusRecorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<string> WentOffline { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<IReadOnlyList<PresenceChange>> ApplyAsync(string serverId, IReadOnlyList<SessionUpdate> updates, TimeSpan userTtl, CancellationToken cancellationToken)
    {
        var changes = new List<PresenceChange>();
        foreach (SessionUpdate update in updates)
        {
            switch (update.Kind)
            {
                case SessionUpdateKind.Open:
                    Calls.Enqueue($"online:{update.UserId}:{update.Value}");
                    break;
                case SessionUpdateKind.Close:
                    WentOffline.TrySetResult($"{update.UserId}:{update.Value}");
                    Calls.Enqueue($"offline:{update.UserId}:{update.Value}");
                    break;
                default:
                    StatusRecorded.TrySetResult($"{update.UserId}:{update.Value}");
                    Calls.Enqueue($"status:{update.UserId}:{update.Value}");
                    break;
            }
        }

        if (Fail)
        {
            return Task.FromException<IReadOnlyList<PresenceChange>>(new InvalidOperationException("presence store down"));
        }

        lock (_gate)
        {
            foreach (SessionUpdate update in updates)
            {
                if (Apply(serverId, update) is { } change)
                {
                    changes.Add(change);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<PresenceChange>>(changes);
    }

    public Task RefreshAsync(string serverId, IReadOnlyCollection<string> userIds, TimeSpan userTtl, TimeSpan serverTtl, CancellationToken cancellationToken)
    {
        Refreshed.AddOrUpdate(serverId, userIds.Count, (_, _) => userIds.Count);
        lock (_gate)
        {
            _servers.TryAdd(serverId, new Dictionary<string, string>(StringComparer.Ordinal));
        }

        return Fail ? Task.FromException(new InvalidOperationException("presence store down")) : Task.CompletedTask;
    }

    public Task<bool> TryLockSweepAsync(string serverId, TimeSpan hold, CancellationToken cancellationToken) => Task.FromResult(!Fail);

    public Task<IReadOnlyList<string>> FindDeadServersAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>(_servers.Keys.Where(Dead.ContainsKey).ToList());
        }
    }

    public Task<ServerRemoval> RemoveServerAsync(string serverId, TimeSpan userTtl, CancellationToken cancellationToken)
    {
        var changes = new List<PresenceChange>();
        var stillOnline = new List<PresenceChange>();
        lock (_gate)
        {
            if (_servers.Remove(serverId, out Dictionary<string, string>? sessions))
            {
                foreach (var (session, user) in sessions)
                {
                    if (Apply(serverId, new SessionUpdate(SessionUpdateKind.Close, user, session)) is { } change)
                    {
                        changes.Add(change);
                    }
                    else if (_sessions.TryGetValue(user, out HashSet<string>? open) && open.Count > 0)
                    {
                        stillOnline.Add(new PresenceChange(user, PresenceChangeKind.Online, null, DateTimeOffset.FromUnixTimeMilliseconds(0)));
                    }
                }
            }
        }

        return Task.FromResult(new ServerRemoval(changes, stillOnline));
    }

    /// <summary>Records a session of another server (the sweep's input).</summary>
    public void AddForeignSession(string serverId, string userId, string sessionId)
    {
        lock (_gate)
        {
            Apply(serverId, new SessionUpdate(SessionUpdateKind.Open, userId, sessionId));
        }
    }

    public bool IsOnline(string userId)
    {
        lock (_gate)
        {
            return _sessions.TryGetValue(userId, out HashSet<string>? open) && open.Count > 0;
        }
    }

    public Task PublishAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken)
    {
        foreach (PresenceChange change in changes)
        {
            Published.Enqueue(change);
        }

        if (Loopback)
        {
            Action<IReadOnlyList<PresenceChange>>[] subscribers;
            lock (_gate)
            {
                subscribers = [.. _subscribers];
            }

            foreach (var subscriber in subscribers)
            {
                subscriber(changes);
            }
        }

        return Task.CompletedTask;
    }

    public Task SubscribeAsync(Action<IReadOnlyList<PresenceChange>> onChanges, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _subscribers.Add(onChanges);
        }

        return Task.CompletedTask;
    }

    private PresenceChange? Apply(string serverId, SessionUpdate update)
    {
        DateTimeOffset at = DateTimeOffset.FromUnixTimeMilliseconds(++_clock);
        switch (update.Kind)
        {
            case SessionUpdateKind.Open:
            {
                if (!_servers.TryGetValue(serverId, out Dictionary<string, string>? index))
                {
                    _servers[serverId] = index = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                index[update.Value] = update.UserId;
                if (!_sessions.TryGetValue(update.UserId, out HashSet<string>? open))
                {
                    _sessions[update.UserId] = open = new HashSet<string>(StringComparer.Ordinal);
                }

                open.Add(update.Value);
                return open.Count == 1 ? new PresenceChange(update.UserId, PresenceChangeKind.Online, null, at) : null;
            }

            case SessionUpdateKind.Close:
            {
                if (_servers.TryGetValue(serverId, out Dictionary<string, string>? index))
                {
                    index.Remove(update.Value);
                }

                return _sessions.TryGetValue(update.UserId, out HashSet<string>? open) && open.Remove(update.Value) && open.Count == 0
                    ? new PresenceChange(update.UserId, PresenceChangeKind.Offline, null, at)
                    : null;
            }

            default:
                return new PresenceChange(update.UserId, PresenceChangeKind.Text, update.Value, at);
        }
    }
}
