namespace RealTimeMessageChat.Contracts.Storage;

/// <summary>
/// Redis names of presence, all in the user-status database (<c>redis_db_user_status_index</c>).
/// The per-user hash keeps the original's <c>user_status:{user}</c> (<see cref="RedisKeys.UserStatus"/>).
/// </summary>
/// <remarks>
/// On a Redis Cluster a script's keys must share one hash slot. A user's keys do: the session set
/// is tagged <c>{user_status:&lt;user&gt;}</c>, which hashes exactly like the untagged status hash.
/// The online index and its change stamps share the slot of <c>presence:online</c>. Keys of a
/// server and the set of servers are written by single-key commands.
/// </remarks>
public static class PresenceKeys
{
    /// <summary>Open session ids of one user, over every MainServer.</summary>
    public static string Sessions(string userId) => "{" + RedisKeys.UserStatus(userId) + "}:sessions";

    /// <summary>Sorted set of online user ids (score 0, so it is ordered by id for paging).</summary>
    public const string Online = "presence:online";

    /// <summary>
    /// Hash user id → the <c>changed_ms</c> of the online/offline change last applied to <see cref="Online"/>,
    /// so a change that arrives late never overrides a newer one. Same slot as <see cref="Online"/>.
    /// </summary>
    public const string OnlineChanged = "{" + Online + "}:changed";

    /// <summary>Every MainServer that has recorded presence and not yet been swept or stopped.</summary>
    public const string Servers = "presence:servers";

    /// <summary>Held by the one server sweeping dead servers, with an expiry.</summary>
    public const string SweepLock = "presence:sweep_lock";

    /// <summary>Pub/sub channel of user status changes (JSON batches), published by the server where they happened.</summary>
    public const string EventsChannel = "presence:events";

    /// <summary>A server's heartbeat: exists (with a TTL) while the server lives.</summary>
    public static string Server(string serverId) => $"presence:server:{serverId}";

    /// <summary>Hash session id → user id of a server's open sessions.</summary>
    public static string ServerSessions(string serverId) => $"presence:server:{serverId}:sessions";
}
