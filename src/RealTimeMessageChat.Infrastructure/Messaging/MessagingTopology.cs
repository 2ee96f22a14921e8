using RabbitMQ.Client;
using RealTimeMessageChat.Contracts.Messaging;

namespace RealTimeMessageChat.Infrastructure.Messaging;

/// <summary>
/// Declares the queues both sides use. Publisher and consumer call the same method, so the queue
/// arguments always match (RabbitMQ refuses a redeclaration with different arguments).
/// </summary>
public static class MessagingTopology
{
    public static async Task DeclareAsync(IChannel channel, string queueName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        string deadLetterQueue = DeadLetterQueueFor(queueName);
        await channel.QueueDeclareAsync(deadLetterQueue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken)
            .ConfigureAwait(false);

        // A nack without requeue (the consumer's last resort when even the explicit dead-letter
        // publish fails) still lands in the dead-letter queue rather than vanishing.
        var arguments = new Dictionary<string, object?>
        {
            ["x-dead-letter-exchange"] = string.Empty,
            ["x-dead-letter-routing-key"] = deadLetterQueue,
        };
        await channel.QueueDeclareAsync(queueName, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary><c>message_broadcast_queue</c> → <c>message_broadcast_queue.dead_letter</c>.</summary>
    public static string DeadLetterQueueFor(string queueName) =>
        queueName == QueueNames.Broadcast ? QueueNames.DeadLetter : queueName + ".dead_letter";
}
