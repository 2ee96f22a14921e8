using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.Contracts.Storage;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// Presence in the user-status database. Per user: hash <c>user_status:{user}</c> (<c>online</c>
/// 1/0, <c>server</c>, <c>status</c>, <c>updated_at</c> (RFC 3339), <c>changed_ms</c>: the last
/// online/offline change in Unix ms, which is PostgreSQL's <c>last_seen_at</c>)
/// and set <c>{user_status:&lt;user&gt;}:sessions</c> (<see cref="PresenceKeys.Sessions"/>) of open session ids over every server, both with a TTL the
/// servers holding a session renew. Per server: a heartbeat key with a TTL and a hash of its open
/// sessions, so a sweeper can close the sessions of a server that died. A user's set and hash
/// share one hash slot (<see cref="PresenceKeys"/>) and each change of them is one Lua script,
/// which stamps it with the Redis clock (strictly increasing per user): that stamp orders the
/// changes of several servers for PostgreSQL and for the online index, which lives in another slot
/// of a cluster and is written after the user's script. The server's index is written by
/// single-key commands: a session enters it before the user's script and leaves it after.
/// </summary>
internal sealed partial class RedisPresenceStore(RedisConnectionProvider redis, ILogger<RedisPresenceStore>? logger = null) : IPresenceStore
{
    // KEYS: status hash, sessions set (one user's slot). ARGV: session, server, ttl ms, now (RFC 3339).
    // Returns {came online, changed_ms of the user's current online state, status}.
    private const string OpenScript = """
        redis.call('SADD', KEYS[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[3])
        local changed = 0
        local at
        if redis.call('HGET', KEYS[1], 'online') ~= '1' then
          local t = redis.call('TIME')
          at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          local previous = tonumber(redis.call('HGET', KEYS[1], 'changed_ms') or '0')
          if at <= previous then at = previous + 1 end
          redis.call('HSET', KEYS[1], 'online', '1', 'changed_ms', at)
          changed = 1
        else
          at = tonumber(redis.call('HGET', KEYS[1], 'changed_ms') or '0')
        end
        redis.call('HSET', KEYS[1], 'server', ARGV[2], 'updated_at', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return { changed, at, redis.call('HGET', KEYS[1], 'status') or false }
        """;

    // KEYS: status hash, sessions set (one user's slot). ARGV: session, ttl ms, now (RFC 3339).
    // Reports the user offline when this was their last session, and also when the session was
    // already gone but the hash still says online: a sweep retried after a sweeper died midway.
    private const string CloseScript = """
        local removed = redis.call('SREM', KEYS[2], ARGV[1])
        if redis.call('SCARD', KEYS[2]) > 0 then return { 0, 0 } end
        local online = redis.call('HGET', KEYS[1], 'online')
        if removed == 0 and online ~= '1' then return { 0, 0 } end
        local t = redis.call('TIME')
        local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local previous = tonumber(redis.call('HGET', KEYS[1], 'changed_ms') or '0')
        if at <= previous then at = previous + 1 end
        redis.call('HSET', KEYS[1], 'online', '0', 'updated_at', ARGV[3], 'changed_ms', at)
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return { 1, at }
        """;

    // KEYS: online zset, its change stamps (one slot). ARGV: user, changed_ms, '1' online / '0' offline.
    // The index is written after the user's own script, by another command (the user's keys live
    // in another slot of a cluster), so changes of two servers may reach it in either order: the
    // user's changed_ms (strictly increasing per user) decides, and an older change is ignored.
    // An equal stamp is the same change again (a retried batch) and is applied again.
    private const string IndexScript = """
        local previous = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        if tonumber(ARGV[2]) < previous then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        if ARGV[3] == '1' then
          redis.call('ZADD', KEYS[1], 0, ARGV[1])
        else
          redis.call('ZREM', KEYS[1], ARGV[1])
        end
        return 1
        """;

    // KEYS: status hash; ARGV: text, ttl ms, now (RFC 3339)
    private const string StatusScript = """
        local t = redis.call('TIME')
        local at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updated_at', ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return at
        """;

    // KEYS: lock; ARGV: owner, hold ms. Taken when free, or renewed by its owner.
    private const string LockScript = """
        local owner = redis.call('GET', KEYS[1])
        if owner == false or owner == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        return 0
        """;

    private readonly ILogger _logger = logger ?? NullLogger<RedisPresenceStore>.Instance;

    /// <summary>Pub/sub channels are not per database: the index keeps systems on other databases of one Redis apart.</summary>
    private RedisChannel EventsChannel => RedisChannel.Literal($"{PresenceKeys.EventsChannel}:{redis.Options.UserStatusDatabase}");

    public async Task<IReadOnlyList<PresenceChange>> ApplyAsync(string serverId, IReadOnlyList<SessionUpdate> updates, TimeSpan userTtl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        ArgumentNullException.ThrowIfNull(updates);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        string now = Now();
        long ttl = (long)userTtl.TotalMilliseconds;

        // Every user script is sent before any reply is awaited: one round trip for the batch, in
        // order per user (a user's keys are on one connection). A session is added to the server's
        // index first, so a sweep after this server dies closes it.
        var calls = new Task<RedisResult>[updates.Count];
        var serverWrites = new List<Task>();
        for (int i = 0; i < updates.Count; i++)
        {
            SessionUpdate update = updates[i];
            RedisKey[] userKeys = [RedisKeys.UserStatus(update.UserId), PresenceKeys.Sessions(update.UserId)];
            switch (update.Kind)
            {
                case SessionUpdateKind.Open:
                    serverWrites.Add(database.HashSetAsync(PresenceKeys.ServerSessions(serverId), update.Value, update.UserId));
                    serverWrites.Add(database.SetAddAsync(PresenceKeys.Servers, serverId));
                    calls[i] = database.ScriptEvaluateAsync(OpenScript, userKeys, [update.Value, serverId, ttl, now]);
                    break;
                case SessionUpdateKind.Close:
                    calls[i] = database.ScriptEvaluateAsync(CloseScript, userKeys, [update.Value, ttl, now]);
                    break;
                default:
                    calls[i] = database.ScriptEvaluateAsync(StatusScript, [RedisKeys.UserStatus(update.UserId)], [update.Value, ttl, now]);
                    break;
            }
        }

        await RedisErrors.AwaitAsync(Task.WhenAll(serverWrites), cancellationToken).ConfigureAwait(false);
        var changes = new List<PresenceChange>();
        var followUps = new List<Task>();
        for (int i = 0; i < calls.Length; i++)
        {
            RedisResult result = await RedisErrors.AwaitAsync(calls[i], cancellationToken).ConfigureAwait(false);
            SessionUpdate update = updates[i];
            switch (update.Kind)
            {
                case SessionUpdateKind.Open:
                    RedisResult[] open = (RedisResult[])result!;
                    if ((long)open[0] == 1)
                    {
                        changes.Add(new PresenceChange(update.UserId, PresenceChangeKind.Online, open[2].IsNull ? null : (string?)open[2], FromMs((long)open[1])));
                    }

                    // Also when the user was online already: repairs an index write lost with a connection.
                    followUps.Add(IndexAsync(database, update.UserId, (long)open[1], online: true));
                    LogOpened(_logger, update.UserId, update.Value, (long)open[0] == 1);
                    break;
                case SessionUpdateKind.Close:
                    RedisResult[] close = (RedisResult[])result!;
                    if ((long)close[0] == 1)
                    {
                        changes.Add(new PresenceChange(update.UserId, PresenceChangeKind.Offline, null, FromMs((long)close[1])));
                        followUps.Add(IndexAsync(database, update.UserId, (long)close[1], online: false));
                    }

                    // Left in the server's index until the user's script ran, so a sweep can still close it.
                    followUps.Add(database.HashDeleteAsync(PresenceKeys.ServerSessions(serverId), update.Value));
                    LogClosed(_logger, update.UserId, update.Value, (long)close[0] == 1);
                    break;
                default:
                    changes.Add(new PresenceChange(update.UserId, PresenceChangeKind.Text, update.Value, FromMs((long)result)));
                    break;
            }
        }

        await RedisErrors.AwaitAsync(Task.WhenAll(followUps), cancellationToken).ConfigureAwait(false);
        return changes;
    }

    private static Task IndexAsync(IDatabase database, string userId, long changedMs, bool online) =>
        database.ScriptEvaluateAsync(IndexScript, [PresenceKeys.Online, PresenceKeys.OnlineChanged], [userId, changedMs, online ? "1" : "0"]);

    public async Task RefreshAsync(string serverId, IReadOnlyCollection<string> userIds, TimeSpan userTtl, TimeSpan serverTtl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var calls = new List<Task>(2 + (userIds.Count * 2))
        {
            database.StringSetAsync(PresenceKeys.Server(serverId), Now(), serverTtl),
            database.SetAddAsync(PresenceKeys.Servers, serverId),
        };
        foreach (string userId in userIds)
        {
            calls.Add(database.KeyExpireAsync(RedisKeys.UserStatus(userId), userTtl));
            calls.Add(database.KeyExpireAsync(PresenceKeys.Sessions(userId), userTtl));
        }

        await RedisErrors.AwaitAsync(Task.WhenAll(calls), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryLockSweepAsync(string serverId, TimeSpan hold, CancellationToken cancellationToken)
    {
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        RedisResult result = await RedisErrors.AwaitAsync(
            database.ScriptEvaluateAsync(LockScript, [PresenceKeys.SweepLock], [serverId, (long)hold.TotalMilliseconds]),
            cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    public async Task<IReadOnlyList<string>> FindDeadServersAsync(CancellationToken cancellationToken)
    {
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        RedisValue[] servers = await RedisErrors.AwaitAsync(database.SetMembersAsync(PresenceKeys.Servers), cancellationToken).ConfigureAwait(false);
        var alive = new Task<bool>[servers.Length];
        for (int i = 0; i < servers.Length; i++)
        {
            alive[i] = database.KeyExistsAsync(PresenceKeys.Server(servers[i]!));
        }

        await RedisErrors.AwaitAsync(Task.WhenAll(alive), cancellationToken).ConfigureAwait(false);
        var dead = new List<string>();
        for (int i = 0; i < servers.Length; i++)
        {
            if (!alive[i].Result)
            {
                dead.Add(servers[i]!);
            }
        }

        return dead;
    }

    public async Task<ServerRemoval> RemoveServerAsync(string serverId, TimeSpan userTtl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverId);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        HashEntry[] sessions = await RedisErrors.AwaitAsync(database.HashGetAllAsync(PresenceKeys.ServerSessions(serverId)), cancellationToken).ConfigureAwait(false);
        var updates = new List<SessionUpdate>(sessions.Length);
        foreach (HashEntry session in sessions)
        {
            updates.Add(new SessionUpdate(SessionUpdateKind.Close, session.Value!, session.Name!));
        }

        // Closed as the dead server would have closed them: its index loses each as it goes, so a
        // sweep cut short is finished by the next one.
        IReadOnlyList<PresenceChange> offline = updates.Count == 0 ? [] : await ApplyAsync(serverId, updates, userTtl, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<PresenceChange> stillOnline = await StillOnlineAsync(database, updates, offline, cancellationToken).ConfigureAwait(false);
        await RedisErrors.AwaitAsync(
            // One key per command: a server's two keys may live in different slots of a cluster.
            Task.WhenAll(
                database.KeyDeleteAsync(PresenceKeys.ServerSessions(serverId)),
                database.KeyDeleteAsync(PresenceKeys.Server(serverId)),
                database.SetRemoveAsync(PresenceKeys.Servers, serverId)),
            cancellationToken).ConfigureAwait(false);
        LogServerRemoved(_logger, serverId, sessions.Length, offline.Count);
        return new ServerRemoval(offline, stillOnline);
    }

    /// <summary>The users of <paramref name="closed"/> still online elsewhere, stamped with when they came online.</summary>
    private static async Task<IReadOnlyList<PresenceChange>> StillOnlineAsync(IDatabase database, List<SessionUpdate> closed, IReadOnlyList<PresenceChange> offline, CancellationToken cancellationToken)
    {
        var gone = new HashSet<string>(offline.Select(c => c.UserId), StringComparer.Ordinal);
        string[] users = [.. closed.Select(u => u.UserId).Distinct(StringComparer.Ordinal).Where(u => !gone.Contains(u))];
        var reads = new Task<RedisValue[]>[users.Length];
        for (int i = 0; i < users.Length; i++)
        {
            reads[i] = database.HashGetAsync(RedisKeys.UserStatus(users[i]), ["online", "changed_ms"]);
        }

        await RedisErrors.AwaitAsync(Task.WhenAll(reads), cancellationToken).ConfigureAwait(false);
        var online = new List<PresenceChange>(users.Length);
        for (int i = 0; i < users.Length; i++)
        {
            RedisValue[] values = reads[i].Result;
            if (values[0] == "1" && values[1].TryParse(out long ms))
            {
                online.Add(new PresenceChange(users[i], PresenceChangeKind.Online, null, FromMs(ms)));
            }
        }

        return online;
    }

    public async Task PublishAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        ISubscriber subscriber = await SubscriberAsync(cancellationToken).ConfigureAwait(false);
        await RedisErrors.AwaitAsync(subscriber.PublishAsync(EventsChannel, PresenceEventCodec.Encode(changes)), cancellationToken).ConfigureAwait(false);
    }

    public async Task SubscribeAsync(Action<IReadOnlyList<PresenceChange>> onChanges, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onChanges);
        ISubscriber subscriber = await SubscriberAsync(cancellationToken).ConfigureAwait(false);
        RedisChannel channel = EventsChannel;

        // It runs on the multiplexer's thread: never let it throw there.
        void Handler(RedisChannel _, RedisValue value)
        {
            try
            {
                onChanges(PresenceEventCodec.Decode((byte[])value!));
            }
            catch (Exception ex)
            {
                LogEventRejected(_logger, ex);
            }
        }

        await RedisErrors.AwaitAsync(subscriber.SubscribeAsync(channel, Handler), cancellationToken).ConfigureAwait(false);
        cancellationToken.Register(() =>
        {
            try
            {
                subscriber.Unsubscribe(channel, Handler, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is ObjectDisposedException || RedisErrors.IsRedis(ex))
            {
            }
        });
    }

    private Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken) => redis.OpenUserStatusDatabaseAsync(cancellationToken);

    private async Task<ISubscriber> SubscriberAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await redis.GetAsync(cancellationToken).ConfigureAwait(false)).GetSubscriber();
        }
        catch (Exception ex) when (RedisErrors.IsRedis(ex))
        {
            throw RedisErrors.Translate(ex);
        }
    }


    private static DateTimeOffset FromMs(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    internal static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 650, Level = LogLevel.Debug, Message = "Presence: {UserId} opened session {SessionId} (came online: {CameOnline})")]
    private static partial void LogOpened(ILogger logger, string userId, string sessionId, bool cameOnline);

    [LoggerMessage(EventId = 651, Level = LogLevel.Debug, Message = "Presence: {UserId} closed session {SessionId} (went offline: {WentOffline})")]
    private static partial void LogClosed(ILogger logger, string userId, string sessionId, bool wentOffline);

    [LoggerMessage(EventId = 652, Level = LogLevel.Information, Message = "Presence: server {ServerId} removed with {Sessions} open sessions; {Offline} users went offline")]
    private static partial void LogServerRemoved(ILogger logger, string serverId, int sessions, int offline);

    [LoggerMessage(EventId = 653, Level = LogLevel.Warning, Message = "Presence: a status event from Redis could not be read; ignored")]
    private static partial void LogEventRejected(ILogger logger, Exception exception);
}
