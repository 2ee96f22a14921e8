using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>
/// A room's whole log as one sequence: Redis (<see cref="IMessageLog"/>) while it retains a seq,
/// PostgreSQL (<see cref="IMessageArchive"/>) below that. Shared by the history endpoint and the
/// MainServer's catch-up.
/// </summary>
/// <remarks>
/// Redis is read first and PostgreSQL only for what lies below Redis's oldest answer. Redis trims
/// only entries PostgreSQL has committed, so whatever Redis no longer holds PostgreSQL does, and a
/// trim between the two reads only moves the boundary: each message comes from one side, once, in
/// order. What neither holds (Redis lost its data before the persister stored it) stays a gap in
/// the result for the caller to see (the seqs are not consecutive there).
/// </remarks>
public sealed class TieredMessageReader(IMessageLog log, IMessageArchive archive)
{
    /// <summary>Up to <paramref name="count"/> messages with <paramref name="afterSeq"/> &lt; seq &lt; <paramref name="beforeSeq"/>, ascending.</summary>
    public async Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, long beforeSeq, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (beforeSeq <= afterSeq + 1)
        {
            return [];
        }

        IReadOnlyList<ChatMessage> recent = await log.ReadAfterAsync(room, afterSeq, count, cancellationToken).ConfigureAwait(false);
        recent = [.. recent.Where(m => m.Seq < beforeSeq)];
        long boundary = recent.Count > 0 ? recent[0].Seq : beforeSeq;
        if (boundary == afterSeq + 1)
        {
            return recent;
        }

        IReadOnlyList<ChatMessage> older = await archive.ReadAfterAsync(room, afterSeq, boundary, count, cancellationToken).ConfigureAwait(false);
        return [.. older, .. recent.Take(count - older.Count)];
    }

    /// <summary>The newest <paramref name="count"/> messages with seq &lt; <paramref name="beforeSeq"/>, ascending.</summary>
    public async Task<IReadOnlyList<ChatMessage>> ReadNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        IReadOnlyList<ChatMessage> recent = await log.ReadNewestAsync(room, beforeSeq, count, cancellationToken).ConfigureAwait(false);
        if (recent.Count == count || (recent.Count > 0 && recent[0].Seq == 1))
        {
            return recent;
        }

        long boundary = recent.Count > 0 ? recent[0].Seq : beforeSeq;
        IReadOnlyList<ChatMessage> older = await archive.ReadNewestAsync(room, boundary, count - recent.Count, cancellationToken).ConfigureAwait(false);
        return [.. older, .. recent];
    }

    /// <summary>Like <see cref="ReadAfterAsync"/> from PostgreSQL alone, for when Redis does not answer.</summary>
    public Task<IReadOnlyList<ChatMessage>> ReadArchivedAfterAsync(string room, long afterSeq, long beforeSeq, int count, CancellationToken cancellationToken) =>
        archive.ReadAfterAsync(room, afterSeq, beforeSeq, count, cancellationToken);

    /// <summary>Like <see cref="ReadNewestAsync"/> from PostgreSQL alone, for when Redis does not answer.</summary>
    public Task<IReadOnlyList<ChatMessage>> ReadArchivedNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken) =>
        archive.ReadNewestAsync(room, beforeSeq, count, cancellationToken);
}
