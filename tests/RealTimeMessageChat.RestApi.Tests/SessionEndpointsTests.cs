using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

public sealed class SessionEndpointsTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    [Fact]
    public async Task Logout_EndsTheSession_TokenRefusedAfterwards_AndAnnounced()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        string token = await factory.RegisterAndLoginAsync(factory.CreateClient(), "sess_logout", cts.Token);
        using HttpClient client = factory.CreateClient(token);
        using (HttpResponseMessage before = await client.PostAsJsonAsync("/publishMessage", new { content = "x" }, cts.Token))
        {
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        }

        using HttpResponseMessage logout = await client.PostAsync("/api/v1/auth/logout", null, cts.Token);
        using HttpResponseMessage after = await client.PostAsJsonAsync("/publishMessage", new { content = "x" }, cts.Token);
        using HttpResponseMessage again = await client.PostAsync("/api/v1/auth/logout", null, cts.Token);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Unauthorized, "unauthorized", cts.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Contains(factory.Sessions.Published, e => e is { Kind: ModerationEvent.SessionEnded, UserId: "sess_logout", Reason: "logout" });
    }

    [Fact]
    public async Task Sessions_ListsMine_AndDeleteEndsOneOfThem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        string first = await factory.RegisterAndLoginAsync(factory.CreateClient(), "sess_list", cts.Token);
        string second = await LoginAsync("sess_list", cts.Token);
        using HttpClient client = factory.CreateClient(first);

        JsonObject listed = (await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/sessions", cts.Token))!;
        JsonArray sessions = listed["sessions"]!.AsArray();
        Assert.Equal(2, sessions.Count);
        Assert.Single(sessions, s => (bool)s!["current"]!);
        string other = (string)sessions.Single(s => !(bool)s!["current"]!)!["session_id"]!;

        using HttpResponseMessage deleted = await client.DeleteAsync($"/api/v1/auth/sessions/{other}", cts.Token);
        using HttpResponseMessage missing = await client.DeleteAsync($"/api/v1/auth/sessions/{other}", cts.Token);
        using HttpResponseMessage refused = await factory.CreateClient(second).GetAsync("/api/v1/auth/sessions", cts.Token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "not-found", cts.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Single((await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/sessions", cts.Token))!["sessions"]!.AsArray());
    }

    [Fact]
    public async Task DeleteSession_OfAnotherUser_Is404AndLeavesIt()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        string mine = await factory.RegisterAndLoginAsync(factory.CreateClient(), "sess_mine", cts.Token);
        string theirs = await factory.RegisterAndLoginAsync(factory.CreateClient(), "sess_theirs", cts.Token);
        string theirId = (string)(await factory.CreateClient(theirs).GetFromJsonAsync<JsonObject>("/api/v1/auth/sessions", cts.Token))!["sessions"]![0]!["session_id"]!;

        using HttpResponseMessage response = await factory.CreateClient(mine).DeleteAsync($"/api/v1/auth/sessions/{theirId}", cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", cts.Token);
        Assert.True(await factory.Sessions.ExistsAsync(theirId, cts.Token));
    }

    private async Task<string> LoginAsync(string userId, CancellationToken cancellationToken)
    {
        using HttpResponseMessage login = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { user_id = userId, password = "correct horse" }, cancellationToken);
        login.EnsureSuccessStatusCode();
        return (string)(await login.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["token"]!;
    }
}
