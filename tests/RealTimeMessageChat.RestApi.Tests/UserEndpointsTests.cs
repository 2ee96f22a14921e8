using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

public sealed class UserEndpointsTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    [Fact]
    public async Task Register_ValidBody_Returns201WithUserId()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.PostAsJsonAsync("/api/v1/users", new { user_id = "reg_Valid-1", password = "password1", username = "Reg" }, cts.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        JsonObject body = (await response.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!;
        Assert.Equal("reg_Valid-1", body["user_id"]!.GetValue<string>());
        Assert.Equal("Reg", factory.Users.Get("reg_Valid-1").Username);
    }

    [Fact]
    public async Task Register_ValidBody_StoresSelfDescribingPbkdf2HashNotPassword()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.PostAsJsonAsync("/api/v1/users", new { user_id = "reg_hash", password = "s3cret-password" }, cts.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        string hash = factory.Users.Get("reg_hash").PasswordHash;
        string[] parts = hash.Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.DoesNotContain("s3cret", hash, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"password":"password1"}""", "user_id")]
    [InlineData("""{"user_id":"","password":"password1"}""", "user_id")]
    [InlineData("""{"user_id":"has space","password":"password1"}""", "user_id")]
    [InlineData("""{"user_id":"dot.ted","password":"password1"}""", "user_id")]
    [InlineData("""{"user_id":"newline\n","password":"password1"}""", "user_id")]
    [InlineData("""{"user_id":42,"password":"password1"}""", "user_id")]
    [InlineData("""{"user_id":"ok_user"}""", "password")]
    [InlineData("""{"user_id":"ok_user","password":"seven77"}""", "password")]
    [InlineData("""{"user_id":"ok_user","password":"password1","username":7}""", "username")]
    public async Task Register_InvalidField_Returns400NamingTheField(string json, string field)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.PostAsync("/api/v1/users", new StringContent(json, Encoding.UTF8, "application/json"), cts.Token);

        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation", cts.Token);
        Assert.Contains(field, ProblemAssert.ErrorFields(problem));
    }

    [Theory]
    [InlineData("user_id", 65)]
    [InlineData("password", 129)]
    [InlineData("username", 129)]
    public async Task Register_FieldOverLength_Returns400NamingTheField(string field, int length)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();
        var body = new Dictionary<string, string> { ["user_id"] = "len_user", ["password"] = "password1", [field] = new string('a', length) };

        HttpResponseMessage response = await client.PostAsJsonAsync("/api/v1/users", body, cts.Token);

        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation", cts.Token);
        Assert.Equal([field], ProblemAssert.ErrorFields(problem));
    }

    [Fact]
    public async Task Register_LongestValidValues_Returns201()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.PostAsJsonAsync(
            "/api/v1/users", new { user_id = new string('L', 64), password = new string('p', 128), username = new string('u', 128) }, cts.Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Register_ExistingUser_Returns409Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/v1/users", new { user_id = "reg_twice", password = "password1" }, cts.Token)).EnsureSuccessStatusCode();

        HttpResponseMessage response = await client.PostAsJsonAsync("/api/v1/users", new { user_id = "reg_twice", password = "password2" }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict, "user-exists", cts.Token);
    }

    [Fact]
    public async Task Register_MalformedJson_Returns400Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.PostAsync("/api/v1/users", new StringContent("{\"user_id\":", Encoding.UTF8, "application/json"), cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json", cts.Token);
    }
}
