using System.Collections.Concurrent;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.MainServer.Rooms;

namespace RealTimeMessageChat.MainServer.Tests.Support;

/// <summary>Room members in memory: <see cref="Add"/> and <see cref="Remove"/> change what <see cref="IsMemberAsync"/> answers at once.</summary>
internal sealed class FakeRoomMembership : IRoomMembership
{
    private readonly ConcurrentDictionary<(string Room, string User), bool> _members = new();

    public bool Fail { get; set; }

    public void Add(string room, params string[] users)
    {
        foreach (string user in users)
        {
            _members[(room, user)] = true;
        }
    }

    public void Remove(string room, string user) => _members.TryRemove((room, user), out _);

    public ValueTask<bool> IsMemberAsync(string room, string userId, CancellationToken cancellationToken) =>
        Fail ? throw new TimeoutException("membership store down") : ValueTask.FromResult(room.Length == 0 || _members.ContainsKey((room, userId)));
}

/// <summary>Read receipts recorded in order, highest per room and user kept as PostgreSQL does.</summary>
internal sealed class FakeReadReceipts : IReadReceipts
{
    private readonly ConcurrentDictionary<(string Room, string User), long> _reads = new();

    public long? Get(string room, string user) => _reads.TryGetValue((room, user), out long seq) ? seq : null;

    public Task MarkReadAsync(string room, string userId, long seq, CancellationToken cancellationToken)
    {
        _reads.AddOrUpdate((room, userId), seq, (_, old) => Math.Max(old, seq));
        return Task.CompletedTask;
    }
}

/// <summary>One process's typing relay: every publish reaches every subscriber at once (the servers sharing one instance).</summary>
internal sealed class LoopbackTypingRelay : ITypingRelay
{
    private readonly ConcurrentBag<Action<TypingSignal>> _subscribers = [];

    public int Published;

    public Task PublishAsync(TypingSignal signal, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Published);
        foreach (Action<TypingSignal> subscriber in _subscribers)
        {
            subscriber(signal);
        }

        return Task.CompletedTask;
    }

    public Task SubscribeAsync(Action<TypingSignal> onSignal, CancellationToken cancellationToken)
    {
        _subscribers.Add(onSignal);
        return Task.CompletedTask;
    }
}
