using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>
/// The ordered log of accepted messages (a Redis Stream per room). The consumer appends; every
/// MainServer and the PostgreSQL persister follow it with cursors of their own, so several readers
/// each see every message (the original's shared list gave each message to one server).
/// </summary>
public interface IMessageLog
{
    /// <summary>
    /// One atomic step: de-duplicate by (sender, message id), assign the room's next <c>seq</c>,
    /// append to the room's stream (never trimmed here), register the room and publish a
    /// wake-up. <paramref name="message"/>.Seq is ignored. A duplicate returns the seq it got the
    /// first time with <see cref="AppendResult.Duplicate"/> set, and appends nothing.
    /// </summary>
    Task<AppendResult> AppendAsync(ChatMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Appends several messages in order, pipelined on one connection; results match the input order.
    /// Each message is its own atomic step, so a failure part-way leaves a prefix applied, and
    /// retrying the whole batch is safe because of de-duplication.
    /// </summary>
    Task<IReadOnlyList<AppendResult>> AppendBatchAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="count"/> messages of <paramref name="room"/> with seq &gt; <paramref name="afterSeq"/>, ascending.</summary>
    Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, int count, CancellationToken cancellationToken);

    /// <summary>
    /// The newest <paramref name="count"/> messages of <paramref name="room"/> with seq &lt;
    /// <paramref name="beforeSeq"/> that Redis still holds, ascending.
    /// </summary>
    Task<IReadOnlyList<ChatMessage>> ReadNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the log that <paramref name="seq"/> was assigned in <paramref name="room"/> (the consumer
    /// gives it PostgreSQL's highest per room at start; appends raise it themselves). Should Redis lose
    /// its data, the room's numbering continues after the highest such seq instead of at 1.
    /// </summary>
    void RaiseSequenceFloor(string room, long seq);

    /// <summary>
    /// Applies the retention (<c>redis_stream_max_length</c>, <c>redis_stream_max_age_sec</c>) to the
    /// room's entries with seq &lt;= <paramref name="persistedSeq"/>, the highest seq PostgreSQL has
    /// committed; newer entries stay whatever the bounds, so nothing leaves Redis before it is stored.
    /// Returns how many entries were removed.
    /// </summary>
    Task<long> TrimPersistedAsync(string room, long persistedSeq, CancellationToken cancellationToken);

    /// <summary>The newest seq assigned in <paramref name="room"/>; 0 when none.</summary>
    Task<long> GetLastSeqAsync(string room, CancellationToken cancellationToken);

    /// <summary>The oldest seq still retained in the room's stream; null when the stream is empty.</summary>
    Task<long?> GetFirstRetainedSeqAsync(string room, CancellationToken cancellationToken);

    /// <summary>Every room that has had a message.</summary>
    Task<IReadOnlyList<string>> GetRoomsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="onAppended"/> with the room name whenever any process appends. A hint
    /// only (pub/sub can drop it while disconnected): followers also poll.
    /// </summary>
    Task SubscribeAsync(Action<string> onAppended, CancellationToken cancellationToken);

    /// <summary>
    /// Cancelled when the log's connection comes back after a failure (read it again for the next
    /// time). A hint that ends a retry wait early: <see cref="MessageLogRetry"/> uses it so that work
    /// resumes as soon as the store answers, not at the next backoff step.
    /// </summary>
    CancellationToken ConnectionRestored { get; }
}

/// <summary>What <see cref="IMessageLog.AppendAsync"/> did.</summary>
public readonly record struct AppendResult(long Seq, bool Duplicate);
