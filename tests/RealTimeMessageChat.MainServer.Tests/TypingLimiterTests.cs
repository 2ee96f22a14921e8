using RealTimeMessageChat.MainServer.Rooms;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class TypingLimiterTests
{
    [Fact]
    public void OnePerIntervalPerUserAndRoom()
    {
        var limiter = new TypingLimiter(2000);

        Assert.True(limiter.TryAcquire("alice", "team", 10_000));
        Assert.False(limiter.TryAcquire("alice", "team", 11_999));
        Assert.True(limiter.TryAcquire("alice", "other", 11_999));
        Assert.True(limiter.TryAcquire("bob", "team", 11_999));
        Assert.True(limiter.TryAcquire("alice", "team", 12_000));
    }

    [Fact]
    public void ZeroInterval_LetsEveryOneThrough()
    {
        var limiter = new TypingLimiter(0);

        Assert.True(limiter.TryAcquire("alice", "team", 1));
        Assert.True(limiter.TryAcquire("alice", "team", 1));
    }

    [Fact]
    public void OldEntries_AreSweptAsTheTableGrows()
    {
        var limiter = new TypingLimiter(100);
        for (int i = 0; i < 5000; i++)
        {
            limiter.TryAcquire($"user{i}", "team", i * 1000L);
        }

        Assert.True(limiter.Count < 1100, $"{limiter.Count} entries kept");
    }
}
