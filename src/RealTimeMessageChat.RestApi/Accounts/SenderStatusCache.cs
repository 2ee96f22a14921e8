using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.Options;

namespace RealTimeMessageChat.RestApi.Accounts;

/// <summary>
/// The sender's account (ban and chat-ban flags) for the publish path, read from PostgreSQL at most
/// once per <c>sender_status_cache_sec</c> per user instead of once per message. A ban therefore
/// takes effect at the API within that time; <see cref="Invalidate"/> is for the path that
/// changes the flags, so it takes effect at once in this process.
/// </summary>
internal sealed class SenderStatusCache(IUserRepository users, IMemoryCache cache, IOptions<RestApiOptions> options)
{
    public async ValueTask<UserAccount?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        TimeSpan ttl = TimeSpan.FromSeconds(options.Value.SenderStatusCacheSeconds);
        (string, string) key = ("sender", userId);
        if (ttl > TimeSpan.Zero && cache.TryGetValue(key, out UserAccount? cached))
        {
            return cached;
        }

        UserAccount? account = await users.FindAsync(userId, cancellationToken);

        // An unknown user is not cached: the account may be created a moment later.
        if (account is not null && ttl > TimeSpan.Zero)
        {
            cache.Set(key, account, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl, Size = 1 });
        }

        return account;
    }

    public void Invalidate(string userId) => cache.Remove(("sender", userId));
}
