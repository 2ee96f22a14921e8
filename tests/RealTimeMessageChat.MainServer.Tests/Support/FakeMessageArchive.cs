using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServer.Tests.Support;

/// <summary>In-memory <see cref="IMessageArchive"/> (PostgreSQL's part of the log): empty unless a test stores messages in it.</summary>
internal sealed class FakeMessageArchive : IMessageArchive
{
    private readonly Lock _gate = new();
    private readonly List<ChatMessage> _messages = [];

    public void Store(IEnumerable<ChatMessage> messages)
    {
        lock (_gate)
        {
            _messages.AddRange(messages);
            _messages.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        }
    }

    public Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, long beforeSeq, int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ChatMessage>>([.. _messages.Where(m => m.SubId == room && m.Seq > afterSeq && m.Seq < beforeSeq).Take(count)]);
        }
    }

    public Task<IReadOnlyList<ChatMessage>> ReadNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ChatMessage>>([.. _messages.Where(m => m.SubId == room && m.Seq < beforeSeq).TakeLast(count)]);
        }
    }
}
