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
    // KEYS: session hash, user zset. ARGV: user, created ms, expires ms, client, token id, now ms.
    private const string CreateScript = """
        redis.call('HSET', KEYS[1], 'user', ARGV[1], 'created_ms', ARGV[2], 'expires_ms', ARGV[3], 'client', ARGV[4])
        redis.call('PEXPIREAT', KEYS[1], ARGV[3])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
        local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
        redis.call('PEXPIREAT', KEYS[2], newest[2])
        return 1
        """;

    // KEYS: session hash, user zset. ARGV: user, token id, channel, event.
    private const string EndScript = """
        if redis.call('HGET', KEYS[1], 'user') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('ZREM', KEYS[2], ARGV[2])
        redis.call('PUBLISH', ARGV[3], ARGV[4])
        return 1
        """;

    // KEYS: user zset. ARGV: channel, event, session key prefix.
    private const string EndAllScript = """
        local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
        local ended = 0
        for _, id in ipairs(ids) do
          ended = ended + redis.call('DEL', ARGV[3] .. id)
        end
        redis.call('DEL', KEYS[1])
        redis.call('PUBLISH', ARGV[1], ARGV[2])
        return ended
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
        await RedisErrors.AwaitAsync(
            database.ScriptEvaluateAsync(
                CreateScript,
                [SessionKey(session.TokenId), UserSessionsKey(session.UserId)],
                [session.UserId, session.CreatedAt.ToUnixTimeMilliseconds(), session.ExpiresAt.ToUnixTimeMilliseconds(), session.Client, session.TokenId, NowMs()]),
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
            database.ScriptEvaluateAsync(EndScript, [SessionKey(tokenId), UserSessionsKey(userId)], [userId, tokenId, Channel(redis.Options.UserStatusDatabase), body]),
            cancellationToken).ConfigureAwait(false);
        return (long)ended == 1;
    }

    public async Task<int> EndAllAsync(string userId, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        byte[] body = ModerationEventCodec.Encode(new ModerationEvent(ModerationEvent.UserSessionsEnded, userId, null, reason));
        RedisResult ended = await RedisErrors.AwaitAsync(
            database.ScriptEvaluateAsync(EndAllScript, [UserSessionsKey(userId)], [Channel(redis.Options.UserStatusDatabase), body, SessionPrefix]),
            cancellationToken).ConfigureAwait(false);
        return (int)(long)ended;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.MinValue;

    private Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken) => redis.OpenUserStatusDatabaseAsync(cancellationToken);
}
