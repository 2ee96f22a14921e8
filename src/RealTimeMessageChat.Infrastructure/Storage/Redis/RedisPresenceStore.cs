using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.Contracts.Storage;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// Presence in the user-status database: hash <c>user_status:{user}</c> with <c>online</c> (1/0),
/// <c>server</c>, <c>status</c> and <c>updated_at</c> (RFC 3339 UTC), plus the set
/// <c>user_sessions:{user}</c> of open session ids. A user is offline when the set becomes empty,
/// so one of several sessions closing leaves the user online. Each change is one Lua script, so
/// the set and the hash never disagree.
/// </summary>
internal sealed partial class RedisPresenceStore(RedisConnectionProvider redis, ILogger<RedisPresenceStore>? logger = null) : IPresenceStore
{
    private const string SetOnlineScript = """
        redis.call('SADD', KEYS[2], ARGV[1])
        redis.call('HSET', KEYS[1], 'online', '1', 'server', ARGV[2], 'updated_at', ARGV[3])
        return redis.call('SCARD', KEYS[2])
        """;

    private const string SetOfflineScript = """
        redis.call('SREM', KEYS[2], ARGV[1])
        local remaining = redis.call('SCARD', KEYS[2])
        if remaining == 0 then
          redis.call('HSET', KEYS[1], 'online', '0', 'updated_at', ARGV[2])
        end
        return remaining
        """;

    private const string SetStatusScript = """
        redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updated_at', ARGV[2])
        return 1
        """;

    private readonly ILogger _logger = logger ?? NullLogger<RedisPresenceStore>.Instance;

    /// <summary>The set of a user's open session ids.</summary>
    public static string SessionsKey(string userId) => $"user_sessions:{userId}";

    public async Task SetOnlineAsync(string userId, string serverId, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        RedisResult sessions = await EvaluateAsync(
            SetOnlineScript,
            [RedisKeys.UserStatus(userId), SessionsKey(userId)],
            [sessionId, serverId ?? string.Empty, Now()],
            cancellationToken).ConfigureAwait(false);
        LogOnline(_logger, userId, sessionId, (long)sessions);
    }

    public async Task SetOfflineAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        RedisResult remaining = await EvaluateAsync(
            SetOfflineScript,
            [RedisKeys.UserStatus(userId), SessionsKey(userId)],
            [sessionId, Now()],
            cancellationToken).ConfigureAwait(false);
        LogOffline(_logger, userId, sessionId, (long)remaining);
    }

    public async Task SetStatusAsync(string userId, string status, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await EvaluateAsync(
            SetStatusScript,
            [RedisKeys.UserStatus(userId)],
            [status ?? string.Empty, Now()],
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            IDatabase database = await redis.GetUserStatusDatabaseAsync(cancellationToken).ConfigureAwait(false);
            return await database.ScriptEvaluateAsync(script, keys, values).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsRedis(ex))
        {
            throw RedisErrors.Translate(ex);
        }
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 650, Level = LogLevel.Debug, Message = "Presence: {UserId} online with session {SessionId} ({Sessions} open)")]
    private static partial void LogOnline(ILogger logger, string userId, string sessionId, long sessions);

    [LoggerMessage(EventId = 651, Level = LogLevel.Debug, Message = "Presence: {UserId} closed session {SessionId} ({Remaining} still open)")]
    private static partial void LogOffline(ILogger logger, string userId, string sessionId, long remaining);
}
