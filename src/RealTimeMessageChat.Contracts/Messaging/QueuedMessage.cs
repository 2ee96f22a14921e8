using System.Text.Json;

namespace RealTimeMessageChat.Contracts.Messaging;

/// <summary>The queue body, as the original API publishes it (CONTRACT.md, "RabbitMQ").</summary>
public sealed record QueuedMessage
{
    /// <summary>The sender's user id.</summary>
    public string? Id { get; init; }

    /// <summary>The room; <c>""</c> is the global room.</summary>
    public string? SubId { get; init; }

    public PublisherInformation? PublisherInformation { get; init; }

    public QueuedMessageBody? Message { get; init; }
}

/// <summary>Who published the message and its idempotency key.</summary>
public sealed record PublisherInformation
{
    public Guid? MessageId { get; init; }

    public string? Source { get; init; }

    public int? Priority { get; init; }

    public JsonElement? Metadata { get; init; }

    /// <summary>Unix seconds at which the RestApi accepted the request.</summary>
    public long? CreatedAt { get; init; }
}

/// <summary>The message itself.</summary>
public sealed record QueuedMessageBody
{
    public string? Command { get; init; }

    public string? Content { get; init; }

    /// <summary>RFC 3339 time at which the RestApi accepted the request.</summary>
    public string? Timestamp { get; init; }
}
