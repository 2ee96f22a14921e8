using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>An in-memory <see cref="IMessageStore"/> keyed like the table: (room, seq), first write wins.</summary>
internal sealed class FakeMessageStore : IMessageStore
{
    private readonly SortedDictionary<(string Room, long Seq), ChatMessage> _rows = [];
    private readonly SemaphoreSlim _saved = new(0);

    /// <summary>Number of upcoming SaveBatchAsync calls that fail.</summary>
    public int FailNextSaves { get; set; }

    public int SaveCalls { get; private set; }

    public IReadOnlyList<ChatMessage> Rows(string room)
    {
        lock (_rows)
        {
            return _rows.Where(r => r.Key.Room == room).Select(r => r.Value).ToList();
        }
    }

    /// <summary>Completes once <paramref name="room"/> holds at least <paramref name="count"/> rows.</summary>
    public async Task WaitForRowsAsync(string room, int count, CancellationToken cancellationToken)
    {
        while (Rows(room).Count < count)
        {
            await _saved.WaitAsync(cancellationToken);
        }
    }

    public Task<IReadOnlyDictionary<string, long>> GetPersistedSeqsAsync(CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            return Task.FromResult<IReadOnlyDictionary<string, long>>(_rows.Keys.GroupBy(k => k.Room).ToDictionary(g => g.Key, g => g.Max(k => k.Seq)));
        }
    }

    public Task<long> GetPersistedSeqAsync(string room, CancellationToken cancellationToken)
    {
        lock (_rows)
        {
            return Task.FromResult(_rows.Keys.Where(k => k.Room == room).Select(k => k.Seq).DefaultIfEmpty(0).Max());
        }
    }

    public Task<int> SaveBatchAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        SaveCalls++;
        if (FailNextSaves > 0)
        {
            FailNextSaves--;
            return Task.FromException<int>(new TimeoutException("database away"));
        }

        int inserted = 0;
        lock (_rows)
        {
            foreach (ChatMessage message in messages)
            {
                if (_rows.TryAdd((message.SubId, message.Seq), message))
                {
                    inserted++;
                }
            }
        }

        _saved.Release();
        return Task.FromResult(inserted);
    }
}
