using RealTimeMessageChat.Contracts.Storage;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// The API's reads of the presence the MainServers write (<see cref="RedisPresenceStore"/>), and
/// the cache-aside fill of a user Redis has no record of.
/// </summary>
internal sealed class RedisPresenceReader(RedisConnectionProvider redis) : IPresenceReader
{
    // Fills only a user no server has written meanwhile (the hash absent): a MainServer's write is
    // newer than what PostgreSQL said, and must never be replaced by it.
    private const string FillScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'online', ARGV[1], 'updated_at', ARGV[4], 'cached', '1')
        if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'status', ARGV[2]) end
        if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'changed_ms', ARGV[3]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
        """;

    private static readonly RedisValue[] Fields = ["online", "status", "changed_ms"];

    public async Task<PresenceRecord?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        RedisValue[] values = await RedisErrors.AwaitAsync(database.HashGetAsync(RedisKeys.UserStatus(userId), Fields), cancellationToken).ConfigureAwait(false);
        return values[0].IsNull ? null : ToRecord(userId, values);
    }

    public async Task FillAsync(PresenceRecord record, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        await RedisErrors.AwaitAsync(
            database.ScriptEvaluateAsync(
                FillScript,
                [RedisKeys.UserStatus(record.UserId)],
                [
                    record.Online ? "1" : "0",
                    record.Status ?? string.Empty,
                    record.LastSeenAt is { } seen ? seen.ToUnixTimeMilliseconds() : string.Empty,
                    RedisPresenceStore.Now(),
                    (long)ttl.TotalMilliseconds,
                ]),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PresenceRecord>> ListOnlineAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        IDatabase database = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        RedisValue[] ids = await RedisErrors.AwaitAsync(
            database.SortedSetRangeByValueAsync(PresenceKeys.Online, string.IsNullOrEmpty(after) ? default : after, default, Exclude.Start, Order.Ascending, 0, limit),
            cancellationToken).ConfigureAwait(false);

        // The index follows the hashes (RedisPresenceStore), but a hash may have expired (its servers
        // all gone, no sweep yet) or an index write been lost: the hash decides, and a stale id is left out.
        var reads = new Task<RedisValue[]>[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            reads[i] = database.HashGetAsync(RedisKeys.UserStatus(ids[i]!), Fields);
        }

        await RedisErrors.AwaitAsync(Task.WhenAll(reads), cancellationToken).ConfigureAwait(false);
        var online = new List<PresenceRecord>(ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            RedisValue[] values = reads[i].Result;
            if (values[0] == "1")
            {
                online.Add(ToRecord(ids[i]!, values));
            }
        }

        return online;
    }

    private static PresenceRecord ToRecord(string userId, RedisValue[] values)
    {
        DateTimeOffset? seen = values[2].TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        string? status = values[1].IsNullOrEmpty ? null : (string?)values[1];
        return new PresenceRecord(userId, values[0] == "1", status, seen);
    }

    private Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken) => redis.OpenUserStatusDatabaseAsync(cancellationToken);
}
