using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Caching;
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
    private readonly ExpiringCache<bool> _live;
    private long _generation;

    public SessionCheckCache(ISessionStore sessions, TimeProvider timeProvider, IOptions<RestApiOptions> options)
    {
        _sessions = sessions;
        _timeProvider = timeProvider;
        _ttl = TimeSpan.FromSeconds(options.Value.SessionCheckCacheSeconds);
        _live = new ExpiringCache<bool>(timeProvider, TimeSpan.Zero, Capacity);
    }

    /// <summary>Whether <paramref name="tokenId"/>'s session is live; store failures propagate as the store throws them.</summary>
    public async ValueTask<bool> ExistsAsync(string tokenId, CancellationToken cancellationToken)
    {
        if (_ttl <= TimeSpan.Zero)
        {
            return await _sessions.ExistsAsync(tokenId, cancellationToken).ConfigureAwait(false);
        }

        if (_live.TryGet(tokenId, out _))
        {
            return true;
        }

        DateTimeOffset now = _timeProvider.GetUtcNow();

        long generation = Interlocked.Read(ref _generation);
        bool exists = await _sessions.ExistsAsync(tokenId, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            _live.Remove(tokenId);
        }
        else if (Interlocked.Read(ref _generation) == generation)
        {
            // The cache keeps an entry through its expiry instant; a session is believed for less than the TTL.
            _live.Add(tokenId, true, now + _ttl - TimeSpan.FromTicks(1));
        }

        return exists;
    }

    public void OnEvent(ModerationEvent moderationEvent)
    {
        Interlocked.Increment(ref _generation);
        switch (moderationEvent.Kind)
        {
            case ModerationEvent.SessionEnded when moderationEvent.TokenId is { } tokenId:
                _live.Remove(tokenId);
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
