namespace RealTimeMessageChat.Contracts.Storage;

/// <summary>
/// An accepted message as the consumer numbered it: everything the Redis stream entry, the
/// PostgreSQL <c>messages</c> row and the broadcast frame need.
/// </summary>
public sealed record ChatMessage
{
    public required Guid MessageId { get; init; }

    /// <summary>Position in the room: grows by exactly 1 per accepted message, no gaps.</summary>
    public required long Seq { get; init; }

    public required string SenderId { get; init; }

    /// <summary>The room; <c>""</c> is the global room.</summary>
    public required string SubId { get; init; }

    public required string Command { get; init; }

    public required string Content { get; init; }

    /// <summary>1 (low) to 3 (high); default 2.</summary>
    public int Priority { get; init; } = 2;

    /// <summary>The client's metadata object as JSON text; <c>"{}"</c> when none.</summary>
    public string MetadataJson { get; init; } = "{}";

    /// <summary>When the RestApi accepted the request.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
