namespace RealTimeMessageChat.MainServerConsumer.Consuming;

/// <summary>How <see cref="BatchProcessor"/> settles deliveries with the broker; a seam so the batching and ack logic is testable without RabbitMQ.</summary>
internal interface IDeliverySettler
{
    /// <summary>Acknowledges <paramref name="delivery"/>, and with <paramref name="multiple"/> every earlier unsettled delivery of its channel.</summary>
    Task AckAsync(Delivery delivery, bool multiple, CancellationToken cancellationToken);

    /// <summary>Publishes the original body to the dead-letter queue with <paramref name="reason"/>; false when the broker did not confirm it.</summary>
    Task<bool> DeadLetterAsync(Delivery delivery, string reason, CancellationToken cancellationToken);

    /// <summary>Negative acknowledgement without requeue (the queue's dead-letter exchange takes it).</summary>
    Task RejectAsync(Delivery delivery, CancellationToken cancellationToken);
}
