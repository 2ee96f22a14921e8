using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>An in-memory <see cref="IMessageLog"/> with the real one's numbering and de-duplication, plus injectable failures.</summary>
internal sealed class FakeMessageLog : IMessageLog
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<ChatMessage>> _rooms = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, Guid), long> _dedupe = [];

    /// <summary>Called with the 1-based number of each AppendBatchAsync call; a returned exception is thrown instead of appending.</summary>
    public Func<int, Exception?> BatchFailure { get; set; } = _ => null;

    /// <summary>A message whose content makes the "script" fail with this exception, batch or not.</summary>
    public Func<ChatMessage, Exception?> MessageFailure { get; set; } = _ => null;

    /// <summary>Thrown by ReadAfterAsync when set.</summary>
    public Exception? ReadFailure { get; set; }

    public int BatchCalls { get; private set; }

    public int SingleCalls { get; private set; }

    public IReadOnlyList<ChatMessage> Messages(string room)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(room, out var list) ? [.. list] : [];
        }
    }

    public Task<AppendResult> AppendAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        SingleCalls++;
        return MessageFailure(message) is { } failure ? Task.FromException<AppendResult>(failure) : Task.FromResult(Append(message));
    }

    public Task<IReadOnlyList<AppendResult>> AppendBatchAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        BatchCalls++;
        if (BatchFailure(BatchCalls) is { } failure)
        {
            return Task.FromException<IReadOnlyList<AppendResult>>(failure);
        }

        var results = new List<AppendResult>();
        foreach (ChatMessage message in messages)
        {
            // Like the pipelined real log: messages before the failing one are applied.
            if (MessageFailure(message) is { } messageFailure)
            {
                return Task.FromException<IReadOnlyList<AppendResult>>(messageFailure);
            }

            results.Add(Append(message));
        }

        return Task.FromResult<IReadOnlyList<AppendResult>>(results);
    }

    public Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, int count, CancellationToken cancellationToken)
    {
        if (ReadFailure is { } failure)
        {
            return Task.FromException<IReadOnlyList<ChatMessage>>(failure);
        }

        return Task.FromResult<IReadOnlyList<ChatMessage>>(Messages(room).Where(m => m.Seq > afterSeq).Take(count).ToList());
    }

    public Task<IReadOnlyList<ChatMessage>> ReadNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ChatMessage>>([.. Messages(room).Where(m => m.Seq < beforeSeq).TakeLast(count)]);

    /// <summary>What <see cref="RaiseSequenceFloor"/> was told, per room (the highest).</summary>
    public Dictionary<string, long> Floors { get; } = [];

    public void RaiseSequenceFloor(string room, long seq)
    {
        lock (Floors)
        {
            Floors[room] = Math.Max(Floors.GetValueOrDefault(room), seq);
        }
    }

    public Task<long> GetLastSeqAsync(string room, CancellationToken cancellationToken) =>
        Task.FromResult(Messages(room).LastOrDefault()?.Seq ?? 0);

    public Task<long?> GetFirstRetainedSeqAsync(string room, CancellationToken cancellationToken) =>
        Task.FromResult(Messages(room).FirstOrDefault()?.Seq);

    public Task<IReadOnlyList<string>> GetRoomsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _rooms.Keys]);
        }
    }

    public CancellationToken ConnectionRestored { get; set; }

    public Task SubscribeAsync(Action<string> onAppended, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The length bound <see cref="TrimPersistedAsync"/> applies (to persisted messages only, like the real one).</summary>
    public int RetainedLength { get; set; } = int.MaxValue;

    /// <summary>Every <see cref="TrimPersistedAsync"/> call: room and the persisted seq it was given.</summary>
    public List<(string Room, long PersistedSeq)> TrimCalls { get; } = [];

    public Task<long> TrimPersistedAsync(string room, long persistedSeq, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            TrimCalls.Add((room, persistedSeq));
            if (!_rooms.TryGetValue(room, out var list) || list.Count == 0)
            {
                return Task.FromResult(0L);
            }

            long cut = Math.Min(persistedSeq, list[^1].Seq - RetainedLength);
            return Task.FromResult((long)list.RemoveAll(m => m.Seq <= cut));
        }
    }

    /// <summary>Drops the oldest messages of a room, as stream trimming does.</summary>
    public void Trim(string room, int keep)
    {
        lock (_gate)
        {
            List<ChatMessage> list = _rooms[room];
            list.RemoveRange(0, list.Count - keep);
        }
    }

    private AppendResult Append(ChatMessage message)
    {
        lock (_gate)
        {
            if (_dedupe.TryGetValue((message.SenderId, message.MessageId), out long existing))
            {
                return new AppendResult(existing, true);
            }

            if (!_rooms.TryGetValue(message.SubId, out var list))
            {
                _rooms[message.SubId] = list = [];
            }

            long seq = list.Count == 0 ? 1 : list[^1].Seq + 1;
            list.Add(message with { Seq = seq });
            _dedupe[(message.SenderId, message.MessageId)] = seq;
            return new AppendResult(seq, false);
        }
    }
}
