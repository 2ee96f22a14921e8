using System.Collections.Concurrent;
using RealTimeMessageChat.Infrastructure.Sessions;

namespace RealTimeMessageChat.TestUtilities.Sessions;

/// <summary>The Redis session store and moderation channel in memory; events are recorded and passed to subscribers at once.</summary>
public sealed class InMemorySessionStore : ISessionStore, IModerationEvents
{
    private readonly ConcurrentDictionary<string, LoginSession> _sessions = new(StringComparer.Ordinal);
    private readonly List<Action<ModerationEvent>> _subscribers = [];

    public ConcurrentQueue<ModerationEvent> Published { get; } = new();

    /// <summary>Set to make every call fail as Redis being away does.</summary>
    public bool Down { get; set; }

    public void Add(LoginSession session) => _sessions[session.TokenId] = session;

    public Task CreateAsync(LoginSession session, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        _sessions[session.TokenId] = session;
        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string tokenId, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return Task.FromResult(_sessions.ContainsKey(tokenId));
    }

    public Task<IReadOnlyList<LoginSession>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return Task.FromResult<IReadOnlyList<LoginSession>>([.. _sessions.Values.Where(s => s.UserId == userId).OrderBy(s => s.CreatedAt)]);
    }

    public async Task<bool> EndAsync(string userId, string tokenId, string reason, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        if (!_sessions.TryGetValue(tokenId, out LoginSession? session) || session.UserId != userId || !_sessions.TryRemove(tokenId, out _))
        {
            return false;
        }

        await PublishAsync(new ModerationEvent(ModerationEvent.SessionEnded, userId, tokenId, reason), cancellationToken);
        return true;
    }

    public async Task<int> EndAllAsync(string userId, string reason, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        int ended = _sessions.Values.Where(s => s.UserId == userId).Count(s => _sessions.TryRemove(s.TokenId, out _));
        await PublishAsync(new ModerationEvent(ModerationEvent.UserSessionsEnded, userId, null, reason), cancellationToken);
        return ended;
    }

    public Task PublishAsync(ModerationEvent moderationEvent, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        Published.Enqueue(moderationEvent);
        lock (_subscribers)
        {
            foreach (Action<ModerationEvent> subscriber in _subscribers)
            {
                subscriber(moderationEvent);
            }
        }

        return Task.CompletedTask;
    }

    public Task SubscribeAsync(Action<ModerationEvent> handler, Action resubscribed, CancellationToken cancellationToken)
    {
        lock (_subscribers)
        {
            _subscribers.Add(handler);
        }

        return Task.CompletedTask;
    }

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new RealTimeMessageChat.Infrastructure.Storage.MessageLogException("redis down (test)", isTransient: true);
        }
    }
}
