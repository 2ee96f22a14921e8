using System.Globalization;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Sessions;

/// <summary>
/// Sessions in the user-status database: hash <c>auth_session:{jti}</c> (<c>user</c>,
/// <c>created_ms</c>, <c>expires_ms</c>, <c>client</c>) that expires with the token, and sorted set
/// <c>auth_sessions:{user}</c> of the user's token ids scored by expiry (Unix ms), whose expired
/// members are dropped when it is read or written. Ending a session deletes both and publishes the
/// event in the same script, so no server can see the session gone and miss the announcement.
/// </summary>
internal sealed class RedisSessionStore(RedisConnectionProvider redis, TimeProvider? timeProvider = null) : ISessionStore
{
    // The session hash is found by token id alone and the user's set by user id, so on a Redis
    // Cluster they live in different slots: no script touches both. Each script below has one key;
    // the hash is the truth (a session exists while its hash does), the set only lists candidates
    // that ListAsync checks against their hashes, so a set member left behind is harmless.

    // KEYS: session hash. ARGV: user, created ms, expires ms, client.
    private const string CreateScript = """
        redis.call('HSET', KEYS[1], 'user', ARGV[1], 'created_ms', ARGV[2], 'expires_ms', ARGV[3], 'client', ARGV[4])
        redis.call('PEXPIREAT', KEYS[1], ARGV[3])
        return 1
        """;

    // KEYS: user zset. ARGV: token id, expires ms, now ms.
    private const string ListScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
        redis.call('PEXPIREAT', KEYS[1], newest[2])
        return 1
        """;

    // KEYS: session hash. ARGV: user, channel, event. Deleting and announcing stay one step, so no
    // server can see the session gone and miss the announcement.
    private const string EndScript = """
        if redis.call('HGET', KEYS[1], 'user') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """;

    private const string SessionPrefix = "auth_session:";
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    internal static RedisKey SessionKey(string tokenId) => SessionPrefix + tokenId;

    internal static RedisKey UserSessionsKey(string userId) => "auth_sessions:" + userId;

    internal static string Channel(int database) => "moderation_events:" + database.ToString(CultureInfo.InvariantCulture);

    public async Task CreateAsync(LoginSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        long expires = session.ExpiresAt.ToUnixTimeMilliseconds();

        // The hash first: a listed id whose hash is missing is skipped, a hash never needs the list.
        await RedisErrors.AwaitAsync(
            database.ScriptEvaluateAsync(
                CreateScript,
                [SessionKey(session.TokenId)],
                [session.UserId, session.CreatedAt.ToUnixTimeMilliseconds(), expires, session.Client]),
            cancellationToken).ConfigureAwait(false);
        await RedisErrors.AwaitAsync(
            database.ScriptEvaluateAsync(ListScript, [UserSessionsKey(session.UserId)], [session.TokenId, expires, NowMs()]),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> ExistsAsync(string tokenId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await RedisErrors.AwaitAsync(database.KeyExistsAsync(SessionKey(tokenId)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<LoginSession>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        RedisValue[] ids = await RedisErrors.AwaitAsync(
            database.SortedSetRangeByScoreAsync(UserSessionsKey(userId), start: NowMs(), stop: double.PositiveInfinity), cancellationToken).ConfigureAwait(false);

        // Every read is sent before any reply is awaited: one round trip for the list.
        Task<HashEntry[]>[] reads = [.. ids.Select(id => database.HashGetAllAsync(SessionKey(id!)))];
        var sessions = new List<LoginSession>(ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            Dictionary<string, string> fields = (await RedisErrors.AwaitAsync(reads[i], cancellationToken).ConfigureAwait(false))
                .ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
            if (fields.GetValueOrDefault("user") != userId)
            {
                continue; // ended or expired between the two reads
            }

            sessions.Add(new LoginSession(
                ids[i].ToString(),
                userId,
                FromMs(fields.GetValueOrDefault("created_ms")),
                FromMs(fields.GetValueOrDefault("expires_ms")),
                fields.GetValueOrDefault("client") ?? string.Empty));
        }

        sessions.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
        return sessions;
    }

    public async Task<bool> EndAsync(string userId, string tokenId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        byte[] body = ModerationEventCodec.Encode(new ModerationEvent(ModerationEvent.SessionEnded, userId, tokenId, reason));
        RedisResult ended = await RedisErrors.AwaitAsync(
            database.ScriptEvaluateAsync(EndScript, [SessionKey(tokenId)], [userId, Channel(redis.Options.UserStatusDatabase), body]),
            cancellationToken).ConfigureAwait(false);
        if ((long)ended == 1)
        {
            await RedisErrors.AwaitAsync(database.SortedSetRemoveAsync(UserSessionsKey(userId), tokenId), cancellationToken).ConfigureAwait(false);
        }

        return (long)ended == 1;
    }

    public async Task<int> EndAllAsync(string userId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        RedisKey list = UserSessionsKey(userId);
        RedisValue[] ids = await RedisErrors.AwaitAsync(database.SortedSetRangeByRankAsync(list), cancellationToken).ConfigureAwait(false);

        // One DEL per session (each hash is in a slot of its own), then the announcement: a server
        // that sees a session gone before the event arrives drops it anyway; one that gets the event
        // finds every listed session gone. Only the ids read are removed from the list, so a login
        // made meanwhile stays listed.
        Task<bool>[] deletes = [.. ids.Select(id => database.KeyDeleteAsync(SessionKey(id!)))];
        await RedisErrors.AwaitAsync(Task.WhenAll(deletes), cancellationToken).ConfigureAwait(false);
        byte[] body = ModerationEventCodec.Encode(new ModerationEvent(ModerationEvent.UserSessionsEnded, userId, null, reason));
        ISubscriber subscriber = (await redis.GetAsync(cancellationToken).ConfigureAwait(false)).GetSubscriber();
        await RedisErrors.AwaitAsync(
            Task.WhenAll(
                subscriber.PublishAsync(RedisChannel.Literal(Channel(redis.Options.UserStatusDatabase)), body),
                ids.Length == 0 ? Task.CompletedTask : database.SortedSetRemoveAsync(list, ids)),
            cancellationToken).ConfigureAwait(false);
        return deletes.Count(d => d.Result);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.MinValue;

    private Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken) => redis.OpenUserStatusDatabaseAsync(cancellationToken);
}
