using System.Globalization;
using Microsoft.Extensions.Logging;
using RealTimeMessageChat.Contracts.Storage;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// <see cref="IMessageLog"/> over one Redis Stream per room, in the message database
/// (<c>redis_db_global_message_index</c>). An append is one Lua step,
/// <see cref="RedisMessageLogScripts.AppendBatch"/>, per room and chunk of a batch (a single message
/// is a batch of one) (the library caches each script per server and sends EVALSHA, re-loading it
/// by itself after a NOSCRIPT); reads use the native stream commands
/// (XRANGE with explicit ids <c>&lt;seq&gt;-0</c>).
/// </summary>
/// <remarks>
/// Every StackExchange.Redis exception leaves as a <see cref="MessageLogException"/>. The client
/// takes no cancellation token per command: a token is checked before a command is sent, and a
/// read stops waiting when it fires (the command itself still completes or times out).
/// </remarks>
internal sealed partial class RedisMessageLog(RedisConnectionProvider redis, ILogger<RedisMessageLog> logger) : IMessageLog
{
    private static readonly RedisChannel NotifyChannel = RedisChannel.Literal(RedisKeys.NotifyChannel);

    // Entries one trim call inspects for their age: bounds the script's time in Redis (which runs
    // nothing else meanwhile); a backlog of old entries goes over several calls.
    private const int AgeScanLimit = 1_000;

    // Messages per AppendBatch call: bounds the time one script holds Redis (about 2 ms here).
    private const int BatchScriptMaxMessages = 128;

    // Per room, the highest seq known to have been assigned (appended here, or stored in PostgreSQL
    // and given at start): the floor every append carries, so a Redis that lost its data resumes after it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _floors = new(StringComparer.Ordinal);

    // Rooms this process has added to RedisKeys.Rooms. That set spans rooms, so on a Redis Cluster it
    // cannot be in a room's append script; it is written before a room's first append instead, once
    // per process, and again after a reconnect (a Redis that restarted may have lost the set).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _registeredRooms = new(StringComparer.Ordinal);
    private CancellationToken _registeredSince;

    public void RaiseSequenceFloor(string room, long seq)
    {
        ArgumentNullException.ThrowIfNull(room);
        _floors.AddOrUpdate(room, seq, (_, current) => Math.Max(current, seq));
    }

    public CancellationToken ConnectionRestored => redis.ConnectionRestored;

    /// <summary>One message: a batch of one (the same script, so single and batched appends cannot drift apart).</summary>
    public async Task<AppendResult> AppendAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        IReadOnlyList<AppendResult> results = await AppendBatchAsync([message], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    public async Task<IReadOnlyList<AppendResult>> AppendBatchAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (messages.Count == 0)
        {
            return [];
        }

        IDatabase database;
        try
        {
            database = await redis.GetMessageDatabaseAsync(cancellationToken).ConfigureAwait(false);
            await RegisterRoomsAsync(database, messages).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsRedis(ex))
        {
            throw RedisErrors.Translate(ex);
        }

        // One script per room and chunk (AppendBatch), every call issued before any is awaited: the
        // multiplexer writes them in this order on one connection, so the batch costs one round trip.
        // Rooms are independent (seqs are per room); within a room the input order is kept.
        List<BatchCall> calls = PlanBatch(messages);
        var pending = new Task<RedisResult>[calls.Count];
        for (int c = 0; c < calls.Count; c++)
        {
            pending[c] = StartAppendBatch(database, messages, calls[c]);
        }

        try
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch
        {
            // WhenAll reports only the first failure; rethrow the one whose first message comes
            // earliest in input order, so the caller sees the failure that stopped the prefix.
            Exception first = calls.Select((call, c) => (call, task: pending[c]))
                .Where(x => x.task.IsFaulted)
                .MinBy(x => x.call.Indexes[0]).task.Exception!.InnerException!;
            if (RedisErrors.IsRedis(first))
            {
                throw RedisErrors.Translate(first);
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }

        var results = new AppendResult[messages.Count];
        for (int c = 0; c < calls.Count; c++)
        {
            RedisResult[] parts = (RedisResult[]?)pending[c].Result ?? throw new InvalidDataException("The append script returned no reply.");
            List<int> indexes = calls[c].Indexes;
            if (parts.Length != indexes.Count * 2)
            {
                throw new InvalidDataException($"The append script returned {parts.Length} values for {indexes.Count} messages.");
            }

            for (int k = 0; k < indexes.Count; k++)
            {
                results[indexes[k]] = new AppendResult((long)parts[2 * k], (long)parts[(2 * k) + 1] == 1);
            }

            RaiseSequenceFloor(calls[c].Room, results[indexes[^1]].Seq);
        }

        return results;
    }

    public async Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        StreamEntry[] entries = await CallAsync(
            database => database.StreamRangeAsync(RedisKeys.Stream(room), minId: EntryId(afterSeq + 1), maxId: "+", count: count),
            cancellationToken).ConfigureAwait(false);
        return StreamEntryParser.ParseRange(entries, room);
    }

    public async Task<IReadOnlyList<ChatMessage>> ReadNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (beforeSeq <= 1)
        {
            return [];
        }

        StreamEntry[] entries = await CallAsync(
            database => database.StreamRangeAsync(RedisKeys.Stream(room), minId: "-", maxId: EntryId(beforeSeq - 1), count: count, messageOrder: Order.Descending),
            cancellationToken).ConfigureAwait(false);
        Array.Reverse(entries);
        return StreamEntryParser.ParseRange(entries, room);
    }

    public async Task<long> GetLastSeqAsync(string room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        RedisValue value = await CallAsync(database => database.StringGetAsync(RedisKeys.Sequence(room)), cancellationToken).ConfigureAwait(false);
        if (!value.IsNull)
        {
            return (long)value;
        }

        // No counter, but maybe entries: the counter was deleted, or renamed by an upgrade (the
        // global room's was send_global_message:seq). The next append re-seeds it from the stream
        // the same way; until then the newest entry is the answer.
        StreamEntry[] last = await CallAsync(
            database => database.StreamRangeAsync(RedisKeys.Stream(room), minId: "-", maxId: "+", count: 1, messageOrder: Order.Descending),
            cancellationToken).ConfigureAwait(false);
        return last.Length == 0 ? 0 : StreamEntryParser.SeqOf(last[0].Id);
    }

    public async Task<long?> GetFirstRetainedSeqAsync(string room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        StreamEntry[] first = await CallAsync(
            database => database.StreamRangeAsync(RedisKeys.Stream(room), minId: "-", maxId: "+", count: 1),
            cancellationToken).ConfigureAwait(false);
        return first.Length == 0 ? null : StreamEntryParser.SeqOf(first[0].Id);
    }

    public async Task<IReadOnlyList<string>> GetRoomsAsync(CancellationToken cancellationToken)
    {
        RedisValue[] members = await CallAsync(database => database.SetMembersAsync(RedisKeys.Rooms), cancellationToken).ConfigureAwait(false);
        var rooms = new List<string>(members.Length);
        foreach (RedisValue member in members)
        {
            rooms.Add((string?)member ?? string.Empty);
        }

        rooms.Sort(StringComparer.Ordinal);
        return rooms;
    }

    public async Task SubscribeAsync(Action<string> onAppended, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onAppended);
        cancellationToken.ThrowIfCancellationRequested();
        ISubscriber subscriber;

        // Our own handler instance, so unsubscribing removes only it (other followers in this
        // process keep theirs). It runs on the multiplexer's thread: never let it throw there.
        void Handler(RedisChannel _, RedisValue value)
        {
            try
            {
                onAppended((string?)value ?? string.Empty);
            }
            catch (Exception ex)
            {
                LogSubscriberCallbackFailed(logger, ex);
            }
        }

        try
        {
            subscriber = (await redis.GetAsync(cancellationToken).ConfigureAwait(false)).GetSubscriber();
            await subscriber.SubscribeAsync(NotifyChannel, Handler).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsRedis(ex))
        {
            throw RedisErrors.Translate(ex);
        }

        cancellationToken.Register(() =>
        {
            try
            {
                subscriber.Unsubscribe(NotifyChannel, Handler, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is ObjectDisposedException || RedisErrors.IsRedis(ex))
            {
                LogUnsubscribeFailed(logger, ex.Message);
            }
        });
    }

    public async Task<long> TrimPersistedAsync(string room, long persistedSeq, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentOutOfRangeException.ThrowIfNegative(persistedSeq);
        RedisOptions options = redis.Options;
        RedisKey[] keys = [RedisKeys.Stream(room)];
        RedisValue[] values =
        [
            persistedSeq,
            options.StreamMaxLength,
            options.StreamMaxAgeSeconds * 1000L,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            AgeScanLimit,
        ];
        RedisResult removed = await CallAsync(
            database => database.ScriptEvaluateAsync(RedisMessageLogScripts.TrimPersisted, keys, values),
            cancellationToken).ConfigureAwait(false);
        return (long)removed;
    }

    /// <summary>One read: the token is checked before it is sent and ends the wait for its reply.</summary>
    private async Task<T> CallAsync<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            IDatabase database = await redis.GetMessageDatabaseAsync(cancellationToken).ConfigureAwait(false);
            return await call(database).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsRedis(ex))
        {
            throw RedisErrors.Translate(ex);
        }
    }

    private static RedisValue EntryId(long seq) => seq.ToString(CultureInfo.InvariantCulture) + "-0";

    /// <summary>
    /// Adds the rooms of <paramref name="messages"/> this process has not registered yet to
    /// <see cref="RedisKeys.Rooms"/>, before they are appended to, so a follower or the persister
    /// that sees a room's message also finds the room. One SADD, only when a room is new.
    /// </summary>
    private async Task RegisterRoomsAsync(IDatabase database, IReadOnlyList<ChatMessage> messages)
    {
        CancellationToken restored = redis.ConnectionRestored;
        if (restored != _registeredSince)
        {
            _registeredRooms.Clear();
            _registeredSince = restored;
        }

        List<RedisValue>? fresh = null;
        foreach (ChatMessage message in messages)
        {
            if (!_registeredRooms.ContainsKey(message.SubId) && !(fresh?.Contains(message.SubId) ?? false))
            {
                (fresh ??= []).Add(message.SubId);
            }
        }

        if (fresh is null)
        {
            return;
        }

        await database.SetAddAsync(RedisKeys.Rooms, [.. fresh]).ConfigureAwait(false);
        foreach (RedisValue room in fresh)
        {
            _registeredRooms[(string)room!] = true;
        }
    }

    /// <summary>The input's messages grouped by room, in input order within each, in chunks of at most <see cref="BatchScriptMaxMessages"/>.</summary>
    private static List<BatchCall> PlanBatch(IReadOnlyList<ChatMessage> messages)
    {
        var calls = new List<BatchCall>();
        var open = new Dictionary<string, BatchCall>(StringComparer.Ordinal);
        for (int i = 0; i < messages.Count; i++)
        {
            string room = messages[i].SubId;
            if (!open.TryGetValue(room, out BatchCall? call) || call.Indexes.Count == BatchScriptMaxMessages)
            {
                call = new BatchCall(room, []);
                open[room] = call;
                calls.Add(call);
            }

            call.Indexes.Add(i);
        }

        return calls;
    }

    private Task<RedisResult> StartAppendBatch(IDatabase database, IReadOnlyList<ChatMessage> messages, BatchCall call)
    {
        RedisOptions options = redis.Options;
        string room = call.Room;
        List<int> indexes = call.Indexes;
        var keys = new RedisKey[indexes.Count + 2];
        var values = new RedisValue[4 + (indexes.Count * RedisMessageLogScripts.AppendBatchFieldsPerMessage)];
        keys[0] = RedisKeys.Sequence(room);
        keys[1] = RedisKeys.Stream(room);
        values[0] = options.DedupeTtlSeconds;
        values[1] = room;
        values[2] = RedisKeys.NotifyChannel;
        values[3] = _floors.GetValueOrDefault(room);
        int v = 4;
        for (int k = 0; k < indexes.Count; k++)
        {
            ChatMessage message = messages[indexes[k]];
            keys[k + 2] = RedisKeys.Dedupe(room, message.SenderId, message.MessageId);
            values[v++] = message.MessageId.ToString("D");
            values[v++] = message.SenderId;
            values[v++] = message.Command;
            values[v++] = message.Content;
            values[v++] = message.Priority;
            values[v++] = message.MetadataJson;
            values[v++] = message.CreatedAt.ToUnixTimeMilliseconds();
        }

        return database.ScriptEvaluateAsync(RedisMessageLogScripts.AppendBatch, keys, values);
    }

    private sealed record BatchCall(string Room, List<int> Indexes);

    [LoggerMessage(EventId = 510, Level = LogLevel.Error, Message = "A message log subscriber callback threw")]
    private static partial void LogSubscriberCallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 511, Level = LogLevel.Debug, Message = "Unsubscribing from the message log notifications failed: {Reason}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string reason);
}
