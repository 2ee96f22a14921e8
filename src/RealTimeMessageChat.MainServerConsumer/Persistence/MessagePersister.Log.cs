namespace RealTimeMessageChat.MainServerConsumer.Persistence;

internal sealed partial class MessagePersister
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "Persisting the message log to PostgreSQL (batch {BatchSize}, poll {IntervalMs} ms)")]
    private static partial void LogStarted(ILogger logger, int batchSize, int intervalMs);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Persisting messages failed; retrying in {DelayMs} ms")]
    private static partial void LogPersistFailed(ILogger logger, double delayMs, Exception exception);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Error, Message = "Room '{Room}': seq {From} to {To} are no longer in Redis and were never persisted")]
    private static partial void LogGap(ILogger logger, string room, long from, long to);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Debug, Message = "Persisted {Count} messages ({Inserted} new) of room '{Room}' up to seq {Seq}")]
    private static partial void LogPersisted(ILogger logger, int count, int inserted, string room, long seq);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Information, Message = "Persister stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Warning, Message = "Room '{Room}': {Lag} messages in Redis are not yet in PostgreSQL (over persist_lag_warn_messages {Bound}); Redis keeps them, so its stream grows until they are stored")]
    private static partial void LogLagOverBound(ILogger logger, string room, long lag, int bound);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Information, Message = "Room '{Room}': PostgreSQL caught up with Redis (persist lag {Lag})")]
    private static partial void LogLagRecovered(ILogger logger, string room, long lag);

    [LoggerMessage(EventId = 3307, Level = LogLevel.Debug, Message = "Trimmed {Count} persisted messages of room '{Room}' from Redis (PostgreSQL holds up to seq {Seq})")]
    private static partial void LogTrimmed(ILogger logger, long count, string room, long seq);

    [LoggerMessage(EventId = 3308, Level = LogLevel.Debug, Message = "Persist lag not updated: {Reason}")]
    private static partial void LogLagUnknown(ILogger logger, string reason);
}
