using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>
/// The durable copy of every accepted message (PostgreSQL <c>chat_messages</c>, read by operators through the view <c>messages</c>). The consumer's persister
/// copies the Redis log into it behind delivery, so broadcasting never waits on the database.
/// </summary>
public interface IMessageStore
{
    /// <summary>The highest seq stored for <paramref name="room"/>; 0 when none.</summary>
    Task<long> GetPersistedSeqAsync(string room, CancellationToken cancellationToken);

    /// <summary>The highest seq stored per room, for every room with a message.</summary>
    Task<IReadOnlyDictionary<string, long>> GetPersistedSeqsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="messages"/> atomically. Idempotent: a message already stored (same room
    /// and seq, or same sender and message id) is left as it is. Returns how many rows were new.
    /// </summary>
    Task<int> SaveBatchAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken);
}
