namespace RealTimeMessageChat.MainServerConsumer.Consuming;

internal sealed partial class BatchProcessor
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Redis append of {Count} messages failed (attempt {Attempt}); retrying in {DelayMs} ms: {Reason}")]
    private static partial void LogRedisRetry(ILogger logger, int count, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Redis append of {Count} messages failed unexpectedly (attempt {Attempt}); retrying in {DelayMs} ms")]
    private static partial void LogUnexpectedAppendFailure(ILogger logger, int count, int attempt, double delayMs, Exception? exception);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Redis refused part of a batch ({Reason}); appending one message at a time")]
    private static partial void LogBatchScriptError(ILogger logger, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Dead-lettering delivery {DeliveryTag}: {Reason}")]
    private static partial void LogDeadLettering(ILogger logger, ulong deliveryTag, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Publishing delivery {DeliveryTag} to the dead-letter queue failed; rejecting it instead")]
    private static partial void LogDeadLetterPublishFailed(ILogger logger, ulong deliveryTag, Exception exception);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Debug, Message = "Message {MessageId} from {SenderId} is a duplicate of seq {Seq}")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId, string senderId, long seq);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Could not check whether {SenderId} is banned ({Reason}); the message goes through")]
    private static partial void LogSenderCheckFailed(ILogger logger, string senderId, string reason);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Warning, Message = "Could not check whether {SenderId} is a member of room {Room} ({Reason}); the message goes through")]
    private static partial void LogMembershipCheckFailed(ILogger logger, string senderId, string room, string reason);
}
