namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// Lua for the message log: de-duplication, numbering, append, room registration and the wake-up
/// must be one atomic step (a crash or a second consumer between them would number a message twice
/// or append it without its dedupe record), so they are one script. Reads use the native stream API.
/// </summary>
internal static class RedisMessageLogScripts
{
    /// <summary>
    /// Appends messages of one room in one call: KEYS: sequence, stream, then one dedupe key per
    /// message, all with the room's hash tag (<see cref="RealTimeMessageChat.Contracts.Storage.RedisKeys"/>),
    /// so the script runs on a Redis Cluster too; the cross-room set of rooms is written before,
    /// outside it. ARGV: dedupe TTL (s), room, notify channel, floor, then per message
    /// <see cref="AppendBatchFieldsPerMessage"/> values: message_id, sender, command, content,
    /// priority, metadata, created_at (unix ms). Returns <c>{seq1, duplicate1, seq2, …}</c>.
    /// </summary>
    /// <remarks>
    /// Per message, in input order: a dedupe record found answers its seq (a message repeated within
    /// the batch finds the record its first copy just wrote); otherwise the next seq, the entry and
    /// the record. The entry id is <c>&lt;seq&gt;-0</c>, so reading "after seq N" is
    /// <c>XRANGE key (N+1)-0 +</c>. When the sequence key is missing, the counter is re-seeded from
    /// the newest entry (someone deleted the counter: otherwise XADD would refuse the smaller id
    /// forever) or from the floor, whichever is higher: the highest seq the caller knows was assigned
    /// (Redis lost its data, so the room would otherwise restart at 1 under seqs PostgreSQL already
    /// holds). No MAXLEN here: a length trim at append would drop messages PostgreSQL may not have
    /// yet (issue 7); the persister trims behind what it stored (<see cref="TrimPersisted"/>).
    /// One call and one wake-up per batch, not per message: per message, the call's own cost in
    /// Redis was about 30 µs of the 48 µs one EVALSHA took under load (INFO commandstats
    /// 2026-12-02), and each wake-up costs an XRANGE by every MainServer. A script error part-way
    /// leaves the messages before it applied (Redis does not roll a script back); the caller redoes
    /// them and de-duplication finds them.
    /// </remarks>
    public const string AppendBatch = """
        local count = #KEYS - 2
        local out = {}
        local seeded = false
        local appended = 0
        for i = 1, count do
            local dedupe = KEYS[i + 2]
            local existing = redis.call('GET', dedupe)
            if existing then
                out[#out + 1] = tonumber(existing)
                out[#out + 1] = 1
            else
                if not seeded then
                    seeded = true
                    if redis.call('EXISTS', KEYS[1]) == 0 then
                        local floor = tonumber(ARGV[4]) or 0
                        local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
                        if #last > 0 then
                            local newest = tonumber(string.match(last[1][1], '^(%d+)'))
                            if newest > floor then
                                floor = newest
                            end
                        end
                        if floor > 0 then
                            redis.call('SET', KEYS[1], floor)
                        end
                    end
                end
                local b = 4 + (i - 1) * 7
                local seq = redis.call('INCR', KEYS[1])
                redis.call('XADD', KEYS[2], seq .. '-0',
                    'message_id', ARGV[b + 1], 'seq', seq, 'sender', ARGV[b + 2], 'sub_id', ARGV[2],
                    'command', ARGV[b + 3], 'content', ARGV[b + 4], 'priority', ARGV[b + 5],
                    'metadata', ARGV[b + 6], 'created_at', ARGV[b + 7])
                redis.call('SET', dedupe, seq, 'EX', ARGV[1])
                out[#out + 1] = seq
                out[#out + 1] = 0
                appended = appended + 1
            end
        end
        if appended > 0 then
            redis.call('PUBLISH', ARGV[3], ARGV[2])
        end
        return out
        """;

    /// <summary>The values per message that <see cref="AppendBatch"/> takes after its four leading ones.</summary>
    public const int AppendBatchFieldsPerMessage = 7;

    /// <summary>
    /// KEYS: stream. ARGV: persisted seq, max length, max age (ms, 0: none), now (unix ms), most
    /// entries to inspect for age. Removes entries with seq &lt;= persisted that are over the length
    /// bound or older than the age bound; returns how many it removed.
    /// </summary>
    /// <remarks>
    /// Nothing above the persisted seq is ever removed, whatever the bounds: the stream grows while
    /// PostgreSQL is away. A room's stream holds consecutive seqs (appends add the next one, trims
    /// remove a prefix), so the length bound is "seq &lt;= newest - max length". Entry ids are seqs,
    /// not times, so the age bound reads <c>created_at</c> from the oldest entries, a bounded number
    /// per call (the next call goes on from where this one trimmed).
    /// </remarks>
    public const string TrimPersisted = """
        local persisted = tonumber(ARGV[1])
        local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
        if #first == 0 then
            return 0
        end
        local oldest = tonumber(string.match(first[1][1], '^(%d+)'))
        if oldest > persisted then
            return 0
        end
        local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
        local newest = tonumber(string.match(last[1][1], '^(%d+)'))
        local cut = newest - tonumber(ARGV[2])
        local maxAge = tonumber(ARGV[3])
        if maxAge > 0 and cut < persisted then
            local from = math.max(cut + 1, oldest)
            local to = math.min(persisted, from + tonumber(ARGV[5]) - 1)
            local cutoff = tonumber(ARGV[4]) - maxAge
            if from <= to then
                local entries = redis.call('XRANGE', KEYS[1], from .. '-0', to .. '-0')
                for _, entry in ipairs(entries) do
                    local fields = entry[2]
                    local created = nil
                    for i = 1, #fields, 2 do
                        if fields[i] == 'created_at' then
                            created = tonumber(fields[i + 1])
                            break
                        end
                    end
                    if created == nil or created > cutoff then
                        break
                    end
                    cut = tonumber(string.match(entry[1], '^(%d+)'))
                end
            end
        end
        if cut > persisted then
            cut = persisted
        end
        if cut < oldest then
            return 0
        end
        return redis.call('XTRIM', KEYS[1], 'MINID', (cut + 1) .. '-0')
        """;
}
