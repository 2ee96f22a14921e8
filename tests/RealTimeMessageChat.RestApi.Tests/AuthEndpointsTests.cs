using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

public sealed class AuthEndpointsTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    [Fact]
    public async Task Login_CorrectPassword_Returns200WithValidToken()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/v1/users", new { user_id = "login_ok", password = "password1" }, cts.Token)).EnsureSuccessStatusCode();

        HttpResponseMessage response = await client.PostAsJsonAsync("/api/v1/auth/login", new { user_id = "login_ok", password = "password1" }, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject body = (await response.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!;
        Assert.Equal("login_ok", body["user_id"]!.GetValue<string>());
        TokenCheck check = await factory.Tokens.ValidateAsync(body["token"]!.GetValue<string>());
        Assert.True(check.IsValid, check.Error);
        Assert.Equal("login_ok", check.UserId);
        DateTimeOffset expiresAt = DateTimeOffset.Parse(body["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(factory.Now.AddMinutes(60), expiresAt);
        Assert.Equal(check.ExpiresAt, expiresAt);
    }

    [Fact]
    public async Task Login_UnknownUserOrWrongPassword_Returns401WithTheSameProblem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/v1/users", new { user_id = "login_wrong", password = "password1" }, cts.Token)).EnsureSuccessStatusCode();

        HttpResponseMessage wrongPassword = await client.PostAsJsonAsync("/api/v1/auth/login", new { user_id = "login_wrong", password = "password2" }, cts.Token);
        HttpResponseMessage unknownUser = await client.PostAsJsonAsync("/api/v1/auth/login", new { user_id = "nobody_here", password = "password1" }, cts.Token);

        JsonObject first = await ProblemAssert.IsProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "invalid-credentials", cts.Token);
        JsonObject second = await ProblemAssert.IsProblemAsync(unknownUser, HttpStatusCode.Unauthorized, "invalid-credentials", cts.Token);
        first.Remove("traceId");
        second.Remove("traceId");
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
    }

    [Fact]
    public async Task Login_BannedUser_Returns403Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/v1/users", new { user_id = "login_banned", password = "password1" }, cts.Token)).EnsureSuccessStatusCode();
        factory.Users.Update("login_banned", u => u with { IsBanned = true });

        HttpResponseMessage response = await client.PostAsJsonAsync("/api/v1/auth/login", new { user_id = "login_banned", password = "password1" }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "user-banned", cts.Token);
    }

    [Fact]
    public async Task Login_BannedUserWrongPassword_Returns401NotRevealingTheBan()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/v1/users", new { user_id = "login_banned2", password = "password1" }, cts.Token)).EnsureSuccessStatusCode();
        factory.Users.Update("login_banned2", u => u with { IsBanned = true });

        HttpResponseMessage response = await client.PostAsJsonAsync("/api/v1/auth/login", new { user_id = "login_banned2", password = "nope-nope" }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "invalid-credentials", cts.Token);
    }

    [Fact]
    public async Task Login_MissingPassword_Returns400NamingIt()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.PostAsJsonAsync("/api/v1/auth/login", new { user_id = "login_ok" }, cts.Token);

        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation", cts.Token);
        Assert.Equal(["password"], ProblemAssert.ErrorFields(problem));
    }
}
