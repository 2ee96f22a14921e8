using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>
/// Reads of the durable copy (PostgreSQL): every message ever accepted and persisted, including those
/// Redis no longer holds. <see cref="TieredMessageReader"/> puts it behind the Redis log.
/// </summary>
public interface IMessageArchive
{
    /// <summary>Up to <paramref name="count"/> messages with <paramref name="afterSeq"/> &lt; seq &lt; <paramref name="beforeSeq"/>, ascending.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, long beforeSeq, int count, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="count"/> messages with seq &lt; <paramref name="beforeSeq"/>, ascending.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken);
}
