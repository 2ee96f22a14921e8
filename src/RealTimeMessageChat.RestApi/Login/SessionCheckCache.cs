using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.RestApi.Options;

namespace RealTimeMessageChat.RestApi.Login;

/// <summary>
/// "Is this token's session still live?" for every authenticated request, answered from memory for
/// <c>session_check_cache_sec</c> after Redis said yes, instead of one Redis round trip per publish.
/// Only yes is remembered. Every announcement on the moderation channel drops what it concerns
/// (one session, or everything on a ban), and a lost subscription drops everything; a check that was
/// already asking Redis when an announcement came is not remembered, so it cannot bring back a
/// session that just ended.
/// </summary>
internal sealed class SessionCheckCache : IModerationEventHandler
{
    private const int Capacity = 100_000;

    private readonly ISessionStore _sessions;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _ttl;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _live = new(StringComparer.Ordinal);
    private long _generation;

    public SessionCheckCache(ISessionStore sessions, TimeProvider timeProvider, IOptions<RestApiOptions> options)
    {
        _sessions = sessions;
        _timeProvider = timeProvider;
        _ttl = TimeSpan.FromSeconds(options.Value.SessionCheckCacheSeconds);
    }

    /// <summary>Whether <paramref name="tokenId"/>'s session is live; store failures propagate as the store throws them.</summary>
    public async ValueTask<bool> ExistsAsync(string tokenId, CancellationToken cancellationToken)
    {
        if (_ttl <= TimeSpan.Zero)
        {
            return await _sessions.ExistsAsync(tokenId, cancellationToken).ConfigureAwait(false);
        }

        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (_live.TryGetValue(tokenId, out DateTimeOffset until) && now < until)
        {
            return true;
        }

        long generation = Interlocked.Read(ref _generation);
        bool exists = await _sessions.ExistsAsync(tokenId, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            _live.TryRemove(tokenId, out _);
        }
        else if (Interlocked.Read(ref _generation) == generation)
        {
            if (_live.Count >= Capacity)
            {
                _live.Clear();
            }

            _live[tokenId] = now + _ttl;
        }

        return exists;
    }

    public void OnEvent(ModerationEvent moderationEvent)
    {
        Interlocked.Increment(ref _generation);
        switch (moderationEvent.Kind)
        {
            case ModerationEvent.SessionEnded when moderationEvent.TokenId is { } tokenId:
                _live.TryRemove(tokenId, out _);
                break;
            case ModerationEvent.UserSessionsEnded:
                _live.Clear();
                break;
        }
    }

    public void OnResubscribed()
    {
        Interlocked.Increment(ref _generation);
        _live.Clear();
    }
}
