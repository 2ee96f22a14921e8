using System.Collections.Concurrent;
using RealTimeMessageChat.RestApi.History;

namespace RealTimeMessageChat.RestApi.Tests.Fakes;

/// <summary>The messages table in memory, answering with the same paging rules as the SQL.</summary>
internal sealed class InMemoryMessageHistory : IMessageHistory
{
    public ConcurrentBag<HistoryMessage> Messages { get; } = [];

    public Task<IReadOnlyList<HistoryMessage>> ReadAsync(string room, long? afterSeq, long? beforeSeq, int limit, CancellationToken cancellationToken)
    {
        IEnumerable<HistoryMessage> matching = Messages.Where(m => m.SubId == room && m.Seq > (afterSeq ?? 0) && m.Seq < (beforeSeq ?? long.MaxValue));
        IEnumerable<HistoryMessage> page = afterSeq is null
            ? matching.OrderByDescending(m => m.Seq).Take(limit).OrderBy(m => m.Seq)
            : matching.OrderBy(m => m.Seq).Take(limit);
        return Task.FromResult<IReadOnlyList<HistoryMessage>>(page.ToList());
    }
}
