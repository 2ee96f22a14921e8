using System.Collections.Concurrent;
using System.Text;
using RealTimeMessageChat.Infrastructure.Messaging;

namespace RealTimeMessageChat.RestApi.Tests.Fakes;

/// <summary>Records what would have gone to RabbitMQ; can fail or never confirm on demand.</summary>
internal sealed class FakeMessagePublisher : IMessagePublisher
{
    public ConcurrentQueue<PublishedMessage> Published { get; } = new();

    /// <summary>Thrown instead of publishing, as a nack or a dead broker would make the real one throw.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Never completes until cancelled: a broker that does not confirm.</summary>
    public bool NeverConfirm { get; set; }

    public async Task PublishAsync(string queueName, ReadOnlyMemory<byte> body, string messageId, CancellationToken cancellationToken)
    {
        if (Failure is { } failure)
        {
            throw failure;
        }

        if (NeverConfirm)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        Published.Enqueue(new PublishedMessage(queueName, Encoding.UTF8.GetString(body.Span), messageId, body.ToArray()));
    }
}

/// <summary>One publish; <see cref="BodyBytes"/> is exactly what the broker would have been given.</summary>
internal sealed record PublishedMessage(string QueueName, string Body, string MessageId, byte[] BodyBytes);
