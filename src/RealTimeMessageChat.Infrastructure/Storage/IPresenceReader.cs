namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>Reads of presence in Redis for the API (the MainServers write it), and the cache fill of a miss.</summary>
public interface IPresenceReader
{
    /// <summary>The user's cached presence, or null when Redis has none.</summary>
    Task<PresenceRecord?> GetAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Caches <paramref name="record"/> (read from PostgreSQL) for <paramref name="ttl"/>, unless a server wrote the user's presence meanwhile.</summary>
    Task FillAsync(PresenceRecord record, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> online users with ids after <paramref name="after"/>, ordered by id.</summary>
    Task<IReadOnlyList<PresenceRecord>> ListOnlineAsync(string? after, int limit, CancellationToken cancellationToken);
}
