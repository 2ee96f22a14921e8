using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests.Login;

/// <summary>Issue 9, "Passwords": the same work for an unknown user, a configured iteration count, attempt limits.</summary>
public sealed class LoginHardeningTests
{
    private const string Password = "correct horse";

    [Fact]
    public async Task Login_UnknownUser_DoesThePbkdf2WorkOfAWrongPassword()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var derivations = new List<int>();
        using var factory = new RestApiFactory { Hasher = CountingHasher(5_000, derivations) };
        using HttpClient client = factory.CreateClient();
        await RegisterAsync(client, "work_user", cts.Token);

        derivations.Clear();
        HttpResponseMessage wrong = await LoginAsync(client, "work_user", "wrong horse", cts.Token);
        List<int> forWrongPassword = [.. derivations];
        derivations.Clear();
        HttpResponseMessage unknown = await LoginAsync(client, "no_such_user", "wrong horse", cts.Token);
        List<int> forUnknownUser = [.. derivations];
        derivations.Clear();
        HttpResponseMessage invalid = await LoginAsync(client, "not a user id!\n", "wrong horse", cts.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        Assert.Equal([5_000], forWrongPassword);
        Assert.Equal(forWrongPassword, forUnknownUser);
        Assert.Equal(forWrongPassword, derivations);
    }

    [Fact]
    public async Task Register_PasswordHashIterations_ComeFromConfiguration()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var factory = new RestApiFactory(new Dictionary<string, string?> { ["password_hash_iterations"] = "12345" });
        using HttpClient client = factory.CreateClient();

        await RegisterAsync(client, "iter_user", cts.Token);

        Assert.StartsWith("pbkdf2-sha256$12345$", factory.Users.Get("iter_user").PasswordHash, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(client, "iter_user", Password, cts.Token)).StatusCode);
    }

    [Theory]
    [InlineData("9999")]
    [InlineData("10000001")]
    [InlineData("lots")]
    public void Options_PasswordHashIterationsOutOfRange_FailNamingTheKey(string value)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection([new("password_hash_iterations", value)]).Build();

        var ex = Assert.Throws<RtmcConfigurationException>(() => configuration.GetValidated<RestApiOptions>());

        Assert.Contains("password_hash_iterations", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("login_attempts_per_account_per_minute")]
    [InlineData("login_attempts_per_address_per_minute")]
    public void Options_LoginAttemptLimitZero_FailsNamingTheKey(string key)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, "0")]).Build();

        var ex = Assert.Throws<RtmcConfigurationException>(() => configuration.GetValidated<RestApiOptions>());

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Defaults_AreOnesAHumanNeverHits()
    {
        var options = new RestApiOptions();

        Assert.Equal(100_000, options.PasswordHashIterations);
        Assert.Equal(10, options.LoginAttemptsPerAccountPerMinute);
        Assert.Equal(60, options.LoginAttemptsPerAddressPerMinute);
    }

    [Fact]
    public async Task Login_HashOfAnOlderIterationCount_VerifiesAndIsUpgraded()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var factory = new RestApiFactory(new Dictionary<string, string?> { ["password_hash_iterations"] = "20000" });
        using HttpClient client = factory.CreateClient();
        await factory.Users.TryCreateAsync("old_hash_user", null, new PasswordHasher(10_000).Hash(Password), cts.Token);

        HttpResponseMessage response = await LoginAsync(client, "old_hash_user", Password, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("pbkdf2-sha256$20000$", factory.Users.Get("old_hash_user").PasswordHash, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(client, "old_hash_user", Password, cts.Token)).StatusCode);
    }

    [Fact]
    public async Task Login_AccountsFailedAttemptsUsedUp_Returns429WithRetryAfterEvenForTheRightPassword()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var factory = Limited(perAccount: 3, perAddress: 100);
        using HttpClient client = factory.CreateClient();
        await RegisterAsync(client, "guessed", cts.Token);
        await RegisterAsync(client, "bystander", cts.Token);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(client, "guessed", "guess" + i + "xyz", cts.Token)).StatusCode);
        }

        HttpResponseMessage wrong = await LoginAsync(client, "guessed", "guess-four", cts.Token);
        HttpResponseMessage right = await LoginAsync(client, "guessed", Password, cts.Token);
        HttpResponseMessage other = await LoginAsync(client, "bystander", Password, cts.Token);

        await AssertThrottledAsync(wrong, cts.Token);
        await AssertThrottledAsync(right, cts.Token);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Login_UnknownUserIds_CountAgainstTheirAccountToo()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var factory = Limited(perAccount: 2, perAddress: 100);
        using HttpClient client = factory.CreateClient();

        await LoginAsync(client, "ghost", "whatever1", cts.Token);
        await LoginAsync(client, "ghost", "whatever2", cts.Token);

        await AssertThrottledAsync(await LoginAsync(client, "ghost", "whatever3", cts.Token), cts.Token);
    }

    [Fact]
    public async Task Login_Success_StartsTheAccountsCountAfresh()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var factory = Limited(perAccount: 3, perAddress: 100);
        using HttpClient client = factory.CreateClient();
        await RegisterAsync(client, "forgetful", cts.Token);

        for (int round = 0; round < 3; round++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(client, "forgetful", "typo-one", cts.Token)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(client, "forgetful", "typo-two", cts.Token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await LoginAsync(client, "forgetful", Password, cts.Token)).StatusCode);
        }
    }

    [Fact]
    public async Task Login_AddressFailedAttemptsUsedUp_Returns429ForAnyUserFromItOnly()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var factory = Limited(perAccount: 100, perAddress: 4);
        using HttpClient client = factory.CreateClient();
        await RegisterAsync(client, "real_user", cts.Token);
        IPAddress attacker = IPAddress.Parse("203.0.113.50"), someoneElse = IPAddress.Parse("203.0.113.51");

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(StatusCodes.Status401Unauthorized, (await LoginFromAsync(factory, attacker, "sprayed" + i, "password1", cts.Token)).Response.StatusCode);
        }

        HttpContext refused = await LoginFromAsync(factory, attacker, "real_user", Password, cts.Token);
        HttpContext other = await LoginFromAsync(factory, someoneElse, "real_user", Password, cts.Token);

        Assert.Equal(StatusCodes.Status429TooManyRequests, refused.Response.StatusCode);
        Assert.True(int.TryParse(refused.Response.Headers.RetryAfter, out int seconds) && seconds is >= 1 and <= 60, refused.Response.Headers.RetryAfter);
        Assert.Equal(StatusCodes.Status200OK, other.Response.StatusCode);
    }

    [Fact]
    public async Task Login_SuccessfulLoginsFromOneAddress_AreNotLimited()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var factory = Limited(perAccount: 2, perAddress: 3);
        using HttpClient client = factory.CreateClient();
        await RegisterAsync(client, "regular", cts.Token);

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await LoginAsync(client, "regular", Password, cts.Token)).StatusCode);
        }
    }

    private static RestApiFactory Limited(int perAccount, int perAddress) => new(new Dictionary<string, string?>
    {
        ["login_attempts_per_account_per_minute"] = perAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["login_attempts_per_address_per_minute"] = perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    private static PasswordHasher CountingHasher(int iterations, List<int> derivations) => new(iterations, (password, salt, n, length) =>
    {
        lock (derivations)
        {
            derivations.Add(n);
        }

        return Rfc2898DeriveBytes.Pbkdf2(password, salt, n, HashAlgorithmName.SHA256, length);
    });

    private static async Task AssertThrottledAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests, "rate-limited", cancellationToken);
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
        Assert.InRange(response.Headers.RetryAfter.Delta.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Contains("login attempts", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task RegisterAsync(HttpClient client, string userId, CancellationToken cancellationToken) =>
        (await client.PostAsJsonAsync("/api/v1/users", new { user_id = userId, password = Password }, cancellationToken)).EnsureSuccessStatusCode();

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string userId, string password, CancellationToken cancellationToken) =>
        client.PostAsJsonAsync("/api/v1/auth/login", new { user_id = userId, password }, cancellationToken);

    // The test server's connection has no address unless given one.
    private static Task<HttpContext> LoginFromAsync(RestApiFactory factory, IPAddress address, string userId, string password, CancellationToken cancellationToken) =>
        factory.Server.SendAsync(context =>
        {
            context.Connection.RemoteIpAddress = address;
            context.Request.Method = HttpMethods.Post;
            context.Request.Path = "/api/v1/auth/login";
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(new JsonObject { ["user_id"] = userId, ["password"] = password }.ToJsonString()));
        }, cancellationToken);
}
