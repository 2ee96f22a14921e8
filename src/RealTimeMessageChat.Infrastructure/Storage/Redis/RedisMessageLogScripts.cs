namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// Lua for the message log: de-duplication, numbering, append, room registration and the wake-up
/// must be one atomic step (a crash or a second consumer between them would number a message twice
/// or append it without its dedupe record), so they are one script. Reads use the native stream API.
/// </summary>
internal static class RedisMessageLogScripts
{
    /// <summary>
    /// KEYS: dedupe, sequence, stream, rooms. ARGV: max length, dedupe TTL (s), room, notify channel,
    /// message_id, sender, sub_id, command, content, priority, metadata, created_at (unix ms), floor.
    /// Returns <c>{seq, duplicate}</c>.
    /// </summary>
    /// <remarks>
    /// The entry id is <c>&lt;seq&gt;-0</c>, so reading "after seq N" is <c>XRANGE key (N+1)-0 +</c>.
    /// When the sequence key is missing, the counter is re-seeded from the newest entry (someone
    /// deleted the counter: otherwise XADD would refuse the smaller id forever) or from the floor,
    /// whichever is higher: the highest seq the caller knows was assigned (Redis lost its data, so
    /// the room would otherwise restart at 1 under seqs PostgreSQL already holds).
    /// </remarks>
    public const string Append = """
        local existing = redis.call('GET', KEYS[1])
        if existing then
            return {tonumber(existing), 1}
        end
        if redis.call('EXISTS', KEYS[2]) == 0 then
            local floor = tonumber(ARGV[13]) or 0
            local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
            if #last > 0 then
                local newest = tonumber(string.match(last[1][1], '^(%d+)'))
                if newest > floor then
                    floor = newest
                end
            end
            if floor > 0 then
                redis.call('SET', KEYS[2], floor)
            end
        end
        local seq = redis.call('INCR', KEYS[2])
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[1], seq .. '-0',
            'message_id', ARGV[5], 'seq', seq, 'sender', ARGV[6], 'sub_id', ARGV[7],
            'command', ARGV[8], 'content', ARGV[9], 'priority', ARGV[10],
            'metadata', ARGV[11], 'created_at', ARGV[12])
        redis.call('SET', KEYS[1], seq, 'EX', ARGV[2])
        redis.call('SADD', KEYS[4], ARGV[3])
        redis.call('PUBLISH', ARGV[4], ARGV[3])
        return {seq, 0}
        """;
}
