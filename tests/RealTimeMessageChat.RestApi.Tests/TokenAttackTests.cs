using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Security;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

/// <summary>
/// Forged and stale tokens against the API (issue 9, "Security"): each is refused with a 401
/// problem and nothing reaches the broker. Tokens are built by hand with the API's own key, so only
/// the one thing under attack is wrong.
/// </summary>
public sealed class TokenAttackTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    private const string User = "token_target";

    public static TheoryData<string, string, string> Attacks => new()
    {
        { "alg none, no signature", "none", "none" },
        { "alg none over a valid HMAC", "none", "HS256" },
        { "HS384 with the API's key", "HS384", "HS384" },
        { "HS512 with the API's key", "HS512", "HS512" },
        { "header swapped to RS256 over the HMAC", "RS256", "HS256" },
        { "RS256 with the forger's own key", "RS256", "RS256" },
    };

    [Fact]
    public async Task Publish_HandMadeTokenWithEverythingRight_Returns202()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);

        HttpResponseMessage response = await PublishAsync(Forge(Claims()), "control", cts.Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Publish_AlgorithmAttack_Returns401AndPublishesNothing(string attack, string headerAlg, string signWith)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);

        HttpResponseMessage response = await PublishAsync(Forge(Claims(), headerAlg, signWith), attack, cts.Token);

        await AssertRefusedAsync(response, attack, cts.Token);
    }

    [Fact]
    public async Task Publish_ExpiredBeyondTheClockSkew_Returns401AndPublishesNothing()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        JsonObject claims = Claims(expires: factory.Now - JwtTokenService.ClockSkew - TimeSpan.FromSeconds(1));

        HttpResponseMessage response = await PublishAsync(Forge(claims), "expired", cts.Token);

        await AssertRefusedAsync(response, "expired", cts.Token);
    }

    [Fact]
    public async Task Publish_ExpiredWithinTheClockSkew_Returns202()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        JsonObject claims = Claims(expires: factory.Now - JwtTokenService.ClockSkew + TimeSpan.FromSeconds(1));

        HttpResponseMessage response = await PublishAsync(Forge(claims), "within skew", cts.Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("no exp", "exp", null)]
    [InlineData("wrong audience", "aud", "another-service")]
    [InlineData("wrong issuer", "iss", "someone-else")]
    [InlineData("no audience", "aud", null)]
    [InlineData("no issuer", "iss", null)]
    [InlineData("no subject", "sub", null)]
    [InlineData("empty subject", "sub", "")]
    public async Task Publish_ClaimWrongOrMissing_Returns401AndPublishesNothing(string attack, string claim, string? value)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        JsonObject claims = Claims();
        claims.Remove(claim);
        if (value is not null)
        {
            claims[claim] = value;
        }

        HttpResponseMessage response = await PublishAsync(Forge(claims), attack, cts.Token);

        await AssertRefusedAsync(response, attack, cts.Token);
    }

    [Fact]
    public async Task ReadMessages_TokenWithoutSubject_Returns401()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        JsonObject claims = Claims();
        claims.Remove("sub");
        using HttpClient client = factory.CreateClient(Forge(claims));

        HttpResponseMessage response = await client.GetAsync("/api/v1/messages", cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized", cts.Token);
    }

    private async Task<HttpResponseMessage> PublishAsync(string token, string marker, CancellationToken cancellationToken)
    {
        await EnsureUserAsync(cancellationToken);
        using HttpClient client = factory.CreateClient(token);
        return await client.PostAsJsonAsync("/publishMessage", new { content = "token attack: " + marker }, cancellationToken);
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, string marker, CancellationToken cancellationToken)
    {
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized", cancellationToken);
        Assert.DoesNotContain(factory.Publisher.Published, p => p.Body.Contains("token attack: " + marker, StringComparison.Ordinal));
    }

    private async Task EnsureUserAsync(CancellationToken cancellationToken)
    {
        using HttpClient client = factory.CreateClient();
        HttpResponseMessage register = await client.PostAsJsonAsync("/api/v1/users", new { user_id = User, password = "correct horse" }, cancellationToken);
        Assert.True(register.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, register.StatusCode.ToString());
    }

    private string Forge(JsonObject claims, string headerAlg = "HS256", string? signWith = null)
    {
        JwtOptions options = factory.Services.GetRequiredService<IOptions<JwtOptions>>().Value;
        return JwtForge.Create(claims, Encoding.UTF8.GetBytes(options.Secret), headerAlg, signWith);
    }

    private JsonObject Claims(DateTimeOffset? expires = null)
    {
        JwtOptions options = factory.Services.GetRequiredService<IOptions<JwtOptions>>().Value;
        JsonObject claims = JwtForge.Claims(User, options.Issuer, options.Audience, factory.Now - TimeSpan.FromMinutes(1), expires ?? factory.Now + TimeSpan.FromMinutes(30));

        // Its session exists, as a login's would: only the one thing under attack is wrong.
        factory.Sessions.Add(new LoginSession((string)claims["jti"]!, User, factory.Now, factory.Now + TimeSpan.FromMinutes(30), "forged"));
        return claims;
    }
}
