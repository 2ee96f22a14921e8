using Microsoft.Extensions.Caching.Memory;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.Infrastructure.Sessions;

/// <summary>
/// The sender's account (ban and chat-ban flags) for the publish path of the RestApi and the
/// consumer, read from PostgreSQL at most once per <paramref name="ttl"/> per user instead of once
/// per message. The moderation path announces every flag change (<see cref="ModerationEvent.ChangesAccount"/>),
/// which drops the user's entry in every process, so a ban takes effect at once; the TTL only bounds
/// how long a missed announcement (Redis away) can keep a stale entry. Holds at most 100,000 users.
/// </summary>
public sealed class SenderStatusCache(IUserRepository users, TimeSpan ttl) : IModerationEventHandler, IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public async ValueTask<UserAccount?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        if (ttl > TimeSpan.Zero && _cache.TryGetValue(userId, out UserAccount? cached))
        {
            return cached;
        }

        UserAccount? account = await users.FindAsync(userId, cancellationToken).ConfigureAwait(false);

        // An unknown user is not cached: the account may be created a moment later.
        if (account is not null && ttl > TimeSpan.Zero)
        {
            _cache.Set(userId, account, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl, Size = 1 });
        }

        return account;
    }

    public void Invalidate(string userId) => _cache.Remove(userId);

    public void OnEvent(ModerationEvent moderationEvent)
    {
        if (moderationEvent.ChangesAccount)
        {
            Invalidate(moderationEvent.UserId);
        }
    }

    public void OnResubscribed() => _cache.Clear();

    public void Dispose() => _cache.Dispose();
}
