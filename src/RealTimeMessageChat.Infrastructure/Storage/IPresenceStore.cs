namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>
/// Who is online, on which server, with which status text (Redis user-status database), and the
/// liveness of the servers that recorded it. Every call is one pipelined round trip or a few.
/// </summary>
public interface IPresenceStore
{
    /// <summary>
    /// Applies one batch of this server's session changes, in order, and returns the user-level
    /// changes they caused: a user's first session opening, their last one closing, a status text.
    /// </summary>
    Task<IReadOnlyList<PresenceChange>> ApplyAsync(string serverId, IReadOnlyList<SessionUpdate> updates, TimeSpan userTtl, CancellationToken cancellationToken);

    /// <summary>Renews this server's heartbeat (<paramref name="serverTtl"/>) and the TTL of its users' presence (<paramref name="userTtl"/>).</summary>
    Task RefreshAsync(string serverId, IReadOnlyCollection<string> userIds, TimeSpan userTtl, TimeSpan serverTtl, CancellationToken cancellationToken);

    /// <summary>Takes the sweep lock for <paramref name="hold"/> unless another server holds it.</summary>
    Task<bool> TryLockSweepAsync(string serverId, TimeSpan hold, CancellationToken cancellationToken);

    /// <summary>Servers that recorded presence but whose heartbeat has expired.</summary>
    Task<IReadOnlyList<string>> FindDeadServersAsync(CancellationToken cancellationToken);

    /// <summary>Closes every session of a dead (or stopping) server and forgets the server.</summary>
    Task<ServerRemoval> RemoveServerAsync(string serverId, TimeSpan userTtl, CancellationToken cancellationToken);

    /// <summary>Announces changes to every server (pub/sub).</summary>
    Task PublishAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="onChanges"/> with every batch any server publishes (this one included).</summary>
    Task SubscribeAsync(Action<IReadOnlyList<PresenceChange>> onChanges, CancellationToken cancellationToken);
}

/// <summary>
/// What removing a server did: the users it left <see cref="Offline"/>, and the users who had a
/// session on it and are <see cref="StillOnline"/> through another server, each as an online change
/// stamped with the time they came online. The latter are for PostgreSQL only: a server killed
/// between its Redis write and its PostgreSQL write of a user coming online would otherwise leave
/// PostgreSQL saying offline while Redis says online (the stamp makes the repair a no-op when the
/// write did land).
/// </summary>
public sealed record ServerRemoval(IReadOnlyList<PresenceChange> Offline, IReadOnlyList<PresenceChange> StillOnline)
{
    public static readonly ServerRemoval None = new([], []);
}

public enum SessionUpdateKind
{
    Open,
    Close,
    Status,
}

/// <summary>One session event; <see cref="Value"/> is the session id (open, close) or the status text.</summary>
public readonly record struct SessionUpdate(SessionUpdateKind Kind, string UserId, string Value);

public enum PresenceChangeKind
{
    Online,
    Offline,

    /// <summary>The status text changed; the user is online.</summary>
    Text,
}

/// <summary>
/// A user-level presence change, stamped by the Redis clock that ordered it (strictly increasing
/// per user), so writes of it that arrive out of order elsewhere (PostgreSQL) can be told apart.
/// </summary>
public sealed record PresenceChange(string UserId, PresenceChangeKind Kind, string? Text, DateTimeOffset At);
