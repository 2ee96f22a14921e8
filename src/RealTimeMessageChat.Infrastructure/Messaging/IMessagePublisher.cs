namespace RealTimeMessageChat.Infrastructure.Messaging;

/// <summary>Publishes queue bodies so that a completed call means the broker has taken responsibility for the message.</summary>
public interface IMessagePublisher
{
    /// <summary>
    /// Publishes <paramref name="body"/> (JSON) persistently to <paramref name="queueName"/> through the
    /// default exchange and completes once the broker confirmed it. Throws on a nack, an unroutable
    /// message, a broker that cannot be reached, or when <paramref name="cancellationToken"/> fires
    /// first (the caller's confirm timeout); a throw means the message must not be reported accepted.
    /// </summary>
    Task PublishAsync(string queueName, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken);
}
