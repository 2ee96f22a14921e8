using System.Net;
using RealTimeMessageChat.RestApi.Login;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests.Login;

public sealed class LoginAttemptLimiterTests
{
    private const string Address = "192.0.2.1";

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryAcquire_AccountAllowanceUsedUp_RefusesWithTheTimeLeftInTheWindow()
    {
        var limiter = Create(perAccount: 3, perAddress: 100);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limiter.TryAcquire("alice", Address).Admitted);
            _clock.Advance(TimeSpan.FromSeconds(10));
        }

        LoginAdmission refused = limiter.TryAcquire("alice", Address);

        Assert.False(refused.Admitted);
        Assert.Equal("account", refused.LimitedBy);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter);
        Assert.True(limiter.TryAcquire("bob", Address).Admitted);
    }

    [Fact]
    public void TryAcquire_AfterTheWindow_AdmitsAgain()
    {
        var limiter = Create(perAccount: 2, perAddress: 100);
        limiter.TryAcquire("alice", Address);
        limiter.TryAcquire("alice", Address);
        Assert.False(limiter.TryAcquire("alice", Address).Admitted);

        _clock.Advance(TimeSpan.FromSeconds(60));

        Assert.True(limiter.TryAcquire("alice", Address).Admitted);
    }

    [Fact]
    public void TryAcquire_RetryAfterUnderASecond_IsRoundedUpToOne()
    {
        var limiter = Create(perAccount: 1, perAddress: 100);
        limiter.TryAcquire("alice", Address);
        _clock.Advance(TimeSpan.FromSeconds(59.7));

        Assert.Equal(TimeSpan.FromSeconds(1), limiter.TryAcquire("alice", Address).RetryAfter);
    }

    [Fact]
    public void TryAcquire_AddressAllowanceUsedUp_RefusesEveryAccountFromIt()
    {
        var limiter = Create(perAccount: 100, perAddress: 5);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire("user" + i, Address).Admitted);
        }

        LoginAdmission refused = limiter.TryAcquire("fresh_user", Address);

        Assert.False(refused.Admitted);
        Assert.Equal("address", refused.LimitedBy);
        Assert.False(limiter.TryAcquire(null, Address).Admitted);
        Assert.True(limiter.TryAcquire("fresh_user", "192.0.2.2").Admitted);
    }

    [Fact]
    public void TryAcquire_RefusedByTheAddress_TakesNothingFromTheAccount()
    {
        var limiter = Create(perAccount: 2, perAddress: 1);
        Assert.True(limiter.TryAcquire("alice", Address).Admitted);
        Assert.False(limiter.TryAcquire("alice", Address).Admitted);

        Assert.True(limiter.TryAcquire("alice", "192.0.2.2").Admitted);
    }

    [Fact]
    public void Succeeded_ResetsTheAccountAndReturnsTheAddressAttempt()
    {
        var limiter = Create(perAccount: 2, perAddress: 3);
        limiter.TryAcquire("alice", Address); // failed
        limiter.TryAcquire("alice", Address);

        limiter.Succeeded("alice", Address);

        Assert.True(limiter.TryAcquire("alice", Address).Admitted);
        Assert.True(limiter.TryAcquire("alice", Address).Admitted);
        LoginAdmission refused = limiter.TryAcquire("alice", Address);
        Assert.False(refused.Admitted);
        Assert.Equal("account", refused.LimitedBy);
        Assert.False(limiter.TryAcquire("bob", Address).Admitted); // the first failure still counts for the address
    }

    [Fact]
    public void Abandoned_ReturnsTheAttemptToBoth()
    {
        var limiter = Create(perAccount: 1, perAddress: 1);
        limiter.TryAcquire("alice", Address);

        limiter.Abandoned("alice", Address);

        Assert.True(limiter.TryAcquire("alice", Address).Admitted);
    }

    [Fact]
    public void TryAcquire_ManyParallelGuesses_AdmitsOnlyTheAllowance()
    {
        var limiter = Create(perAccount: 10, perAddress: 1_000_000);
        int admitted = 0;

        Parallel.For(0, 1_000, i =>
        {
            if (limiter.TryAcquire("alice", "198.51.100." + (i % 200)).Admitted)
            {
                Interlocked.Increment(ref admitted);
            }
        });

        Assert.Equal(10, admitted);
    }

    [Fact]
    public void TryAcquire_AttackerCyclingUserIdsAndAddresses_StaysWithinTheBound()
    {
        var limiter = new LoginAttemptLimiter(perAccount: 10, perAddress: 60, _clock, maxTrackedKeys: 500);

        for (int i = 0; i < 50_000; i++)
        {
            limiter.TryAcquire("victim" + i, "10." + (i / 65536 % 256) + "." + (i / 256 % 256) + "." + (i % 256));
        }

        Assert.InRange(limiter.TrackedKeys, 1, 1_000);
        Assert.True(limiter.TryAcquire("someone_new", "203.0.113.9").Admitted);
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    public void ClientAddress_KeyOf_GroupsIpv6ByItsSlash64(string address, string key) =>
        Assert.Equal(key, ClientAddress.KeyOf(IPAddress.Parse(address)));

    [Fact]
    public void ClientAddress_KeyOf_NoAddress_IsOneSharedKey() => Assert.Equal("unknown", ClientAddress.KeyOf(null));

    private LoginAttemptLimiter Create(int perAccount, int perAddress) =>
        new(perAccount, perAddress, _clock, LoginAttemptLimiter.MaxTrackedKeys);
}
