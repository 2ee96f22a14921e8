using Microsoft.Extensions.Logging;

namespace RealTimeMessageChat.Infrastructure.Messaging;

public sealed partial class RabbitMqMessagePublisher
{
    [LoggerMessage(EventId = 510, Level = LogLevel.Debug, Message = "Message {MessageId} confirmed by the broker on queue {QueueName}")]
    private static partial void LogPublished(ILogger logger, string messageId, string queueName);

    [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "Publishing message {MessageId} to {QueueName} failed: {ErrorType}: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string messageId, string queueName, string errorType, string reason);

    [LoggerMessage(EventId = 512, Level = LogLevel.Information, Message = "Declared queue {QueueName} and its dead-letter queue")]
    private static partial void LogTopologyDeclared(ILogger logger, string queueName);

    [LoggerMessage(EventId = 513, Level = LogLevel.Debug, Message = "Closing a publisher channel failed")]
    private static partial void LogChannelCloseFailed(ILogger logger, Exception exception);
}
