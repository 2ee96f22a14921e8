using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RealTimeMessageChat.Infrastructure.Caching;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.Infrastructure.Tests;

/// <summary>Validated tokens are answered from the cache, yet expire on time and never let a forgery through.</summary>
public sealed class ValidatedTokenCacheTests
{
    private static readonly string Secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Validate_SameTokenTwice_SecondAnswerIsTheCachedOne()
    {
        JwtTokenService service = Create();
        string token = service.Issue("alice").Token;

        TokenCheck first = await service.ValidateAsync(token);
        TokenCheck second = await service.ValidateAsync(token);

        Assert.True(first.IsValid);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task Validate_CachedToken_ExpiresExactlyWhenTheValidatorWouldRefuseIt()
    {
        JwtTokenService service = Create(expiryMinutes: 5);
        IssuedToken issued = service.Issue("alice");
        Assert.True((await service.ValidateAsync(issued.Token)).IsValid);

        _clock.Advance(TimeSpan.FromMinutes(5) + JwtTokenService.ClockSkew - TimeSpan.FromSeconds(1));
        Assert.True((await service.ValidateAsync(issued.Token)).IsValid);

        _clock.Advance(TimeSpan.FromSeconds(2));
        TokenCheck late = await service.ValidateAsync(issued.Token);
        Assert.False(late.IsValid);
        Assert.Equal("token expired", late.Error);
    }

    [Fact]
    public async Task Validate_ForgedSiblingOfACachedToken_IsRefused()
    {
        JwtTokenService service = Create();
        string token = service.Issue("alice").Token;
        Assert.True((await service.ValidateAsync(token)).IsValid);

        // Same header and payload, last signature character changed; and the payload of another user
        // under alice's signature.
        string tampered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        string[] parts = token.Split('.');
        string[] bob = service.Issue("bob").Token.Split('.');
        string swapped = $"{parts[0]}.{bob[1]}.{parts[2]}";

        Assert.False((await service.ValidateAsync(tampered)).IsValid);
        Assert.False((await service.ValidateAsync(swapped)).IsValid);
    }

    [Fact]
    public void Cache_PastCapacity_StartsOverInsteadOfGrowing()
    {
        var cache = new ExpiringCache<string>(_clock, TimeSpan.Zero);
        DateTimeOffset expires = _clock.GetUtcNow().AddHours(1);
        for (int i = 0; i < cache.Capacity + 10; i++)
        {
            cache.Add($"token-{i}", "user", expires);
        }

        Assert.True(cache.Count <= cache.Capacity);
        Assert.True(cache.TryGet($"token-{cache.Capacity + 9}", out _));
    }

    [Fact]
    public async Task BearerHandler_SecondValidation_ReturnsTheSameResultAndStillChecksExpiry()
    {
        JwtTokenService service = Create(expiryMinutes: 5);
        TokenHandler handler = service.CreateBearerTokenHandler();
        string token = service.Issue("alice").Token;

        TokenValidationResult first = await handler.ValidateTokenAsync(token, service.ValidationParameters);
        TokenValidationResult second = await handler.ValidateTokenAsync(token, service.ValidationParameters);
        _clock.Advance(TimeSpan.FromMinutes(6));
        TokenValidationResult expired = await handler.ValidateTokenAsync(token, service.ValidationParameters);

        Assert.True(first.IsValid);
        Assert.Same(first, second);
        Assert.False(expired.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(expired.Exception);
    }

    [Fact]
    public async Task BearerHandler_ACloneOfTheParameters_AsJwtBearerPassesPerRequest_IsAnsweredFromTheCache()
    {
        JwtTokenService service = Create();
        TokenHandler handler = service.CreateBearerTokenHandler();
        string token = service.Issue("alice").Token;

        TokenValidationResult first = await handler.ValidateTokenAsync(token, service.ValidationParameters.Clone());
        TokenValidationResult second = await handler.ValidateTokenAsync(token, service.ValidationParameters.Clone());

        Assert.True(first.IsValid);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task BearerHandler_ParametersThatCheckSomethingElse_AreNotAnsweredFromTheCache()
    {
        JwtTokenService service = Create();
        TokenHandler handler = service.CreateBearerTokenHandler();
        string token = service.Issue("alice").Token;
        TokenValidationResult cached = await handler.ValidateTokenAsync(token, service.ValidationParameters);
        TokenValidationParameters otherAudience = service.ValidationParameters.Clone();
        otherAudience.ValidAudience = "someone-else";

        TokenValidationResult refused = await handler.ValidateTokenAsync(token, otherAudience);

        Assert.True(cached.IsValid);
        Assert.False(refused.IsValid);
        Assert.IsType<SecurityTokenInvalidAudienceException>(refused.Exception);
    }

    [Fact]
    public async Task BearerHandler_InvalidToken_IsNeverCached()
    {
        JwtTokenService service = Create();
        TokenHandler handler = service.CreateBearerTokenHandler();
        string foreign = new JwtTokenService(Options.Create(new JwtOptions { Secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) }), _clock)
            .Issue("alice").Token;

        TokenValidationResult first = await handler.ValidateTokenAsync(foreign, service.ValidationParameters);
        TokenValidationResult second = await handler.ValidateTokenAsync(foreign, service.ValidationParameters);

        Assert.False(first.IsValid);
        Assert.False(second.IsValid);
        Assert.NotSame(first, second);
    }

    private JwtTokenService Create(int expiryMinutes = 60) =>
        new(Options.Create(new JwtOptions { Secret = Secret, ExpiryMinutes = expiryMinutes }), _clock);
}
