namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>The presence columns of <c>users</c> (<c>is_online</c>, <c>status</c>, <c>last_seen_at</c>).</summary>
public interface IPresenceRepository
{
    /// <summary>
    /// Writes a batch of changes. An online/offline change is applied only when it is newer than
    /// the row's <c>last_seen_at</c>, so batches from several servers may land in any order.
    /// </summary>
    Task ApplyAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken);

    /// <summary>The user's presence as PostgreSQL has it, or null for an unknown user.</summary>
    Task<PresenceRecord?> FindAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>A user's presence: online, status text, when last seen (connected or disconnected).</summary>
public sealed record PresenceRecord(string UserId, bool Online, string? Status, DateTimeOffset? LastSeenAt);
