using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Security;

namespace RealTimeMessageChat.Infrastructure.Tests;

public sealed class JwtTokenServiceTests
{
    private static readonly string Secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task Issue_ThenValidate_ReturnsSubjectAndTokenId()
    {
        var service = Create(Secret);

        IssuedToken issued = service.Issue("alice");
        TokenCheck check = await service.ValidateAsync(issued.Token);

        Assert.True(check.IsValid);
        Assert.Equal("alice", check.UserId);
        Assert.Equal(issued.TokenId, check.TokenId);
        Assert.True(issued.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(59));
    }

    [Fact]
    public async Task Validate_TokenSignedWithAnotherSecret_IsInvalid()
    {
        string foreign = Create(Convert.ToHexString(RandomNumberGenerator.GetBytes(32))).Issue("alice").Token;

        TokenCheck check = await Create(Secret).ValidateAsync(foreign);

        Assert.False(check.IsValid);
        Assert.Equal("invalid token", check.Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not.a.jwt")]
    public async Task Validate_MissingOrGarbage_IsInvalidWithoutThrowing(string? token)
    {
        TokenCheck check = await Create(Secret).ValidateAsync(token);

        Assert.False(check.IsValid);
    }

    [Fact]
    public void JwtOptions_ShortSecret_FailsNamingTheKeyWithoutEchoingIt()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection([new("jwt_secret", "short-secret-value")]).Build();

        var ex = Assert.Throws<RtmcConfigurationException>(() => configuration.GetValidated<JwtOptions>());

        Assert.Contains("'jwt_secret'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret-value", ex.Message, StringComparison.Ordinal);
    }

    private static JwtTokenService Create(string secret) => new(Options.Create(new JwtOptions { Secret = secret }));
}
