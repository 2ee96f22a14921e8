namespace RealTimeMessageChat.MainServerConsumer.Consuming;

internal sealed partial class RabbitMqConsumerService
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Consuming {Queue} (prefetch {Prefetch}, batch {BatchSize})")]
    private static partial void LogConsuming(ILogger logger, string queue, int prefetch, int batchSize);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "The consumer channel is closed and was not recovered; opening a new one in {DelaySeconds} s")]
    private static partial void LogChannelLost(ILogger logger, double delaySeconds);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Consuming from RabbitMQ failed; retrying in {DelaySeconds} s")]
    private static partial void LogConsumeFailed(ILogger logger, double delaySeconds, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "The consumer channel shut down: {ReplyCode} {ReplyText}")]
    private static partial void LogChannelShutdown(ILogger logger, ushort replyCode, string replyText);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Processing a batch of {Count} deliveries failed; they stay unacknowledged until the channel closes")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Closing the consumer channel failed: {Reason}")]
    private static partial void LogCloseFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Consumer stopped")]
    private static partial void LogStopped(ILogger logger);
}
