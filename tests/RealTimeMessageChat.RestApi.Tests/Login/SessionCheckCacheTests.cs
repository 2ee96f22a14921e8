using RealTimeMessageChat.TestUtilities.Sessions;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.RestApi.Login;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests.Login;

/// <summary>A live session is believed for a few seconds; an ended one never is.</summary>
public sealed class SessionCheckCacheTests
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemorySessionStore _store = new();

    [Fact]
    public async Task LiveSession_IsAnsweredFromMemoryUntilTheTtlPasses()
    {
        SessionCheckCache cache = Create(ttlSeconds: 5);
        _store.Add(Session("t1", "alice"));
        Assert.True(await cache.ExistsAsync("t1", CancellationToken.None));

        _store.Down = true;
        Assert.True(await cache.ExistsAsync("t1", CancellationToken.None));

        _clock.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAnyAsync<Exception>(() => cache.ExistsAsync("t1", CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task EndedSessionAnnounced_IsRefusedAtOnce_AndABanDropsEverything()
    {
        SessionCheckCache cache = Create(ttlSeconds: 60);
        _store.Add(Session("t1", "alice"));
        _store.Add(Session("t2", "bob"));
        Assert.True(await cache.ExistsAsync("t1", CancellationToken.None));
        Assert.True(await cache.ExistsAsync("t2", CancellationToken.None));

        await _store.EndAsync("alice", "t1", "logout", CancellationToken.None);
        cache.OnEvent(new ModerationEvent(ModerationEvent.SessionEnded, "alice", "t1", "logout"));
        await _store.EndAllAsync("bob", "banned", CancellationToken.None);
        cache.OnEvent(new ModerationEvent(ModerationEvent.UserSessionsEnded, "bob", null, "banned"));

        Assert.False(await cache.ExistsAsync("t1", CancellationToken.None));
        Assert.False(await cache.ExistsAsync("t2", CancellationToken.None));
    }

    [Fact]
    public async Task AnnouncementDuringACheck_TheCheckIsNotRemembered()
    {
        var store = new AnnouncingStore();
        var cache = new SessionCheckCache(store, _clock, Microsoft.Extensions.Options.Options.Create(new RestApiOptions { SessionCheckCacheSeconds = 60 }));
        store.DuringExists = () => cache.OnEvent(new ModerationEvent(ModerationEvent.SessionEnded, "alice", "t1", "logout"));

        Assert.True(await cache.ExistsAsync("t1", CancellationToken.None));
        store.Live = false;

        Assert.False(await cache.ExistsAsync("t1", CancellationToken.None));
    }

    [Fact]
    public async Task LostSubscription_DropsEverything()
    {
        SessionCheckCache cache = Create(ttlSeconds: 60);
        _store.Add(Session("t1", "alice"));
        Assert.True(await cache.ExistsAsync("t1", CancellationToken.None));

        await _store.EndAsync("alice", "t1", "logout", CancellationToken.None);
        cache.OnResubscribed();

        Assert.False(await cache.ExistsAsync("t1", CancellationToken.None));
    }

    [Fact]
    public async Task ZeroTtl_AsksTheStoreEveryTime()
    {
        SessionCheckCache cache = Create(ttlSeconds: 0);
        _store.Add(Session("t1", "alice"));
        Assert.True(await cache.ExistsAsync("t1", CancellationToken.None));

        await _store.EndAsync("alice", "t1", "logout", CancellationToken.None);

        Assert.False(await cache.ExistsAsync("t1", CancellationToken.None));
    }

    private SessionCheckCache Create(int ttlSeconds) =>
        new(_store, _clock, Microsoft.Extensions.Options.Options.Create(new RestApiOptions { SessionCheckCacheSeconds = ttlSeconds }));

    private LoginSession Session(string tokenId, string userId) =>
        new(tokenId, userId, _clock.GetUtcNow(), _clock.GetUtcNow().AddHours(1), "test");

    /// <summary>Says "live" while running a callback in the middle of the check, as an announcement arriving then would.</summary>
    private sealed class AnnouncingStore : ISessionStore
    {
        public Action? DuringExists { get; set; }

        public bool Live { get; set; } = true;

        public Task<bool> ExistsAsync(string tokenId, CancellationToken cancellationToken)
        {
            DuringExists?.Invoke();
            DuringExists = null;
            return Task.FromResult(Live);
        }

        public Task CreateAsync(LoginSession session, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<LoginSession>> ListAsync(string userId, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<LoginSession>>([]);

        public Task<bool> EndAsync(string userId, string tokenId, string reason, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<int> EndAllAsync(string userId, string reason, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
