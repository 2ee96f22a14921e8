using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.RestApi.History;

/// <summary>
/// <see cref="IMessageHistory"/> over the whole log: Redis while it retains a seq, PostgreSQL beyond
/// (<see cref="TieredMessageReader"/>), so pages cross the boundary seamlessly. Should Redis not
/// answer, the page comes from PostgreSQL alone (which may lag Redis by the persist lag).
/// </summary>
internal sealed partial class TieredMessageHistory(TieredMessageReader reader, ILogger<TieredMessageHistory> logger) : IMessageHistory
{
    public async Task<IReadOnlyList<HistoryMessage>> ReadAsync(string room, long? afterSeq, long? beforeSeq, int limit, CancellationToken cancellationToken)
    {
        long before = beforeSeq ?? long.MaxValue;
        IReadOnlyList<ChatMessage> messages;
        try
        {
            messages = afterSeq is { } after
                ? await reader.ReadAfterAsync(room, after, before, limit, cancellationToken)
                : await reader.ReadNewestAsync(room, before, limit, cancellationToken);
        }
        catch (MessageLogException ex)
        {
            LogRedisUnavailable(logger, ex.Message);
            messages = afterSeq is { } after
                ? await reader.ReadArchivedAfterAsync(room, after, before, limit, cancellationToken)
                : await reader.ReadArchivedNewestAsync(room, before, limit, cancellationToken);
        }

        return [.. messages.Select(m => new HistoryMessage(m.MessageId, m.Seq, m.SenderId, m.SubId, m.Command, m.Content, m.CreatedAt))];
    }

    [LoggerMessage(EventId = 1040, Level = LogLevel.Warning, Message = "History read from PostgreSQL alone: Redis did not answer ({Reason})")]
    private static partial void LogRedisUnavailable(ILogger logger, string reason);
}
