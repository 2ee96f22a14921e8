using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Security;

namespace RealTimeMessageChat.Infrastructure.Tests;

/// <summary>
/// Forged and stale tokens against <see cref="JwtTokenService.ValidateAsync"/> (what the MainServer's
/// handshake uses; the RestApi's bearer handler shares its parameters): each attack is refused alone,
/// with everything else about the token right.
/// </summary>
public sealed class JwtTokenAttackTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);
    private static readonly string Secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(Secret);
    private static readonly JwtOptions Options = new() { Secret = Secret };

    private readonly ManualTimeProvider _clock = new(Now);

    [Fact]
    public async Task Validate_ForgedButCorrectToken_IsValid()
    {
        TokenCheck check = await Service().ValidateAsync(JwtForge.Create(Claims(), Key));

        Assert.True(check.IsValid, check.Error);
        Assert.Equal("alice", check.UserId);
    }

    [Theory]
    [InlineData("none", "none")] // alg none, no signature
    [InlineData("none", "HS256")] // alg none over a valid HMAC
    [InlineData("HS384", "HS384")] // another HMAC with our key: the algorithm is pinned to HS256
    [InlineData("HS512", "HS512")]
    [InlineData("RS256", "HS256")] // the header swapped to RS256 over our HMAC
    [InlineData("RS256", "RS256")] // RS256 with the forger's own key
    [InlineData("HS256", "HS512")] // header and signature disagree
    public async Task Validate_AlgorithmAttack_IsInvalid(string headerAlg, string signWith)
    {
        TokenCheck check = await Service().ValidateAsync(JwtForge.Create(Claims(), Key, headerAlg, signWith));

        Assert.False(check.IsValid);
    }

    [Fact]
    public void ClockSkew_IsBoundedToAMinute()
    {
        TimeSpan skew = Service().ValidationParameters.ClockSkew;

        Assert.InRange(skew, TimeSpan.Zero, TimeSpan.FromSeconds(60));
        Assert.Equal(JwtTokenService.ClockSkew, skew);
    }

    [Fact]
    public async Task Validate_ExpiredWithinTheClockSkew_IsValid()
    {
        JsonObject claims = Claims(expires: Now - JwtTokenService.ClockSkew + TimeSpan.FromSeconds(1));

        TokenCheck check = await Service().ValidateAsync(JwtForge.Create(claims, Key));

        Assert.True(check.IsValid, check.Error);
    }

    [Fact]
    public async Task Validate_ExpiredBeyondTheClockSkew_IsInvalidAsExpired()
    {
        JsonObject claims = Claims(expires: Now - JwtTokenService.ClockSkew - TimeSpan.FromSeconds(1));

        TokenCheck check = await Service().ValidateAsync(JwtForge.Create(claims, Key));

        Assert.False(check.IsValid);
        Assert.Equal("token expired", check.Error);
    }

    [Fact]
    public async Task Validate_IssuedTokenOnceTheClockPassesExpiryAndSkew_IsInvalid()
    {
        JwtTokenService service = Service();
        string token = service.Issue("alice").Token;

        _clock.Advance(TimeSpan.FromMinutes(Options.ExpiryMinutes) + JwtTokenService.ClockSkew + TimeSpan.FromSeconds(1));
        TokenCheck check = await service.ValidateAsync(token);

        Assert.False(check.IsValid);
    }

    [Fact]
    public async Task Validate_NotYetValidBeyondTheSkew_IsInvalid()
    {
        JsonObject claims = Claims(issuedAt: Now + TimeSpan.FromMinutes(5), expires: Now + TimeSpan.FromMinutes(60));

        TokenCheck check = await Service().ValidateAsync(JwtForge.Create(claims, Key));

        Assert.False(check.IsValid);
    }

    [Fact]
    public async Task Validate_NoExpiry_IsInvalid()
    {
        JsonObject claims = Claims();
        claims.Remove("exp");

        TokenCheck check = await Service().ValidateAsync(JwtForge.Create(claims, Key));

        Assert.False(check.IsValid);
    }

    [Theory]
    [InlineData("iss", "someone-else")]
    [InlineData("aud", "another-service")]
    public async Task Validate_WrongIssuerOrAudience_IsInvalid(string claim, string value)
    {
        JsonObject claims = Claims();
        claims[claim] = value;

        TokenCheck check = await Service().ValidateAsync(JwtForge.Create(claims, Key));

        Assert.False(check.IsValid);
    }

    [Theory]
    [InlineData("iss")]
    [InlineData("aud")]
    public async Task Validate_NoIssuerOrAudience_IsInvalid(string claim)
    {
        JsonObject claims = Claims();
        claims.Remove(claim);

        TokenCheck check = await Service().ValidateAsync(JwtForge.Create(claims, Key));

        Assert.False(check.IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Validate_NoSubject_IsInvalid(string? subject)
    {
        JsonObject claims = Claims();
        claims.Remove("sub");
        if (subject is not null)
        {
            claims["sub"] = subject;
        }

        TokenCheck check = await Service().ValidateAsync(JwtForge.Create(claims, Key));

        Assert.False(check.IsValid);
        Assert.Equal("token has no subject", check.Error);
    }

    private JwtTokenService Service() => new(Microsoft.Extensions.Options.Options.Create(Options), _clock);

    private static JsonObject Claims(DateTimeOffset? issuedAt = null, DateTimeOffset? expires = null) =>
        JwtForge.Claims("alice", Options.Issuer, Options.Audience, issuedAt ?? Now - TimeSpan.FromMinutes(1), expires ?? Now + TimeSpan.FromMinutes(59));
}
