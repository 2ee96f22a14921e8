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
}
