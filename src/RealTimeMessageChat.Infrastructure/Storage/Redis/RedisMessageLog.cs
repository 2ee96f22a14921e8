using System.Globalization;
using Microsoft.Extensions.Logging;
using RealTimeMessageChat.Contracts.Storage;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// <see cref="IMessageLog"/> over one Redis Stream per room, in the message database
/// (<c>redis_db_global_message_index</c>). Appends go through <see cref="RedisMessageLogScripts.Append"/>;
/// StackExchange.Redis loads the script once per server and then sends EVALSHA (re-loading it by
/// itself after a NOSCRIPT). Reads use XRANGE with explicit ids <c>&lt;seq&gt;-0</c>.
/// </summary>
/// <remarks>
/// StackExchange.Redis 1.2.6 takes no cancellation tokens: a token is checked before a command is
/// sent, and reads stop waiting when it fires (the command itself still completes or times out).
/// </remarks>
internal sealed partial class RedisMessageLog(RedisConnectionProvider redis, ILogger<RedisMessageLog> logger) : IMessageLog
{
    public async Task<AppendResult> AppendAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        IDatabase database = await redis.GetMessageDatabaseAsync().ConfigureAwait(false);
        return ToAppendResult(await StartAppend(database, message).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<AppendResult>> AppendBatchAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (messages.Count == 0)
        {
            return [];
        }

        IDatabase database = await redis.GetMessageDatabaseAsync().ConfigureAwait(false);

        // Issue every call before awaiting any: the multiplexer writes them in this order on one
        // connection, so the batch costs one round trip and Redis runs the scripts in input order.
        var pending = new Task<RedisResult>[messages.Count];
        for (int i = 0; i < messages.Count; i++)
        {
            pending[i] = StartAppend(database, messages[i]);
        }

        try
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch
        {
            // WhenAll reports only the first failure; rethrow the earliest one in input order so the
            // caller sees the failure that stopped the prefix.
            foreach (Task<RedisResult> task in pending)
            {
                if (task.IsFaulted)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(task.Exception!.InnerException!).Throw();
                }
            }

            throw;
        }

        var results = new AppendResult[messages.Count];
        for (int i = 0; i < pending.Length; i++)
        {
            results[i] = ToAppendResult(pending[i].Result);
        }

        return results;
    }

    public async Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        cancellationToken.ThrowIfCancellationRequested();
        IDatabase database = await redis.GetMessageDatabaseAsync().ConfigureAwait(false);
        string start = (afterSeq + 1).ToString(CultureInfo.InvariantCulture) + "-0";
        RedisResult result = await database
            .ExecuteAsync("XRANGE", RedisKeys.Stream(room), start, "+", "COUNT", count.ToString(CultureInfo.InvariantCulture))
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        return StreamEntryParser.ParseRange(result, room);
    }

    public async Task<long> GetLastSeqAsync(string room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        cancellationToken.ThrowIfCancellationRequested();
        IDatabase database = await redis.GetMessageDatabaseAsync().ConfigureAwait(false);
        RedisValue value = await database.StringGetAsync(RedisKeys.Sequence(room)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? 0 : (long)value;
    }

    public async Task<long?> GetFirstRetainedSeqAsync(string room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        cancellationToken.ThrowIfCancellationRequested();
        IDatabase database = await redis.GetMessageDatabaseAsync().ConfigureAwait(false);
        RedisResult result = await database
            .ExecuteAsync("XRANGE", RedisKeys.Stream(room), "-", "+", "COUNT", "1")
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        if (result.IsNull)
        {
            return null;
        }

        var entries = (RedisResult[])result;
        return entries.Length == 0 ? null : StreamEntryParser.SeqOf((string)((RedisResult[])entries[0])[0]!);
    }

    public async Task<IReadOnlyList<string>> GetRoomsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IDatabase database = await redis.GetMessageDatabaseAsync().ConfigureAwait(false);
        RedisValue[] members = await database.SetMembersAsync(RedisKeys.Rooms).WaitAsync(cancellationToken).ConfigureAwait(false);
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
        ConnectionMultiplexer multiplexer = await redis.GetAsync().ConfigureAwait(false);
        ISubscriber subscriber = multiplexer.GetSubscriber();
        RedisChannel channel = RedisKeys.NotifyChannel;

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

        await subscriber.SubscribeAsync(channel, Handler).ConfigureAwait(false);
        cancellationToken.Register(() =>
        {
            try
            {
                subscriber.Unsubscribe(channel, Handler, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or RedisException)
            {
                LogUnsubscribeFailed(logger, ex.Message);
            }
        });
    }

    private Task<RedisResult> StartAppend(IDatabase database, ChatMessage message)
    {
        RedisOptions options = redis.Options;
        string room = message.SubId;
        RedisKey[] keys =
        [
            RedisKeys.Dedupe(message.SenderId, message.MessageId),
            RedisKeys.Sequence(room),
            RedisKeys.Stream(room),
            RedisKeys.Rooms,
        ];
        RedisValue[] values =
        [
            options.StreamMaxLength,
            options.DedupeTtlSeconds,
            room,
            RedisKeys.NotifyChannel,
            message.MessageId.ToString("D"),
            message.SenderId,
            room,
            message.Command,
            message.Content,
            message.Priority,
            message.MetadataJson,
            message.CreatedAt.ToUnixTimeMilliseconds(),
        ];
        return database.ScriptEvaluateAsync(RedisMessageLogScripts.Append, keys, values);
    }

    private static AppendResult ToAppendResult(RedisResult result)
    {
        var parts = (RedisResult[])result;
        return new AppendResult((long)parts[0], (long)parts[1] == 1);
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Error, Message = "A message log subscriber callback threw")]
    private static partial void LogSubscriberCallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 511, Level = LogLevel.Debug, Message = "Unsubscribing from the message log notifications failed: {Reason}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string reason);
}
