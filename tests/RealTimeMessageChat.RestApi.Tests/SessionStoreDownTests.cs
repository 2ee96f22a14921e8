using System.Net;
using System.Net.Http.Json;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

public sealed class SessionStoreDownTests
{
    [Fact]
    public async Task SessionStoreDown_LoginAndAuthenticatedRequestsAre503_NeverLetThrough()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await using var factory = new RestApiFactory();
        string token = await factory.RegisterAndLoginAsync(factory.CreateClient(), "down_user", cts.Token);
        factory.Sessions.Down = true;

        using HttpResponseMessage login = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { user_id = "down_user", password = "correct horse" }, cts.Token);
        using HttpResponseMessage publish = await factory.CreateClient(token).PostAsJsonAsync("/publishMessage", new { content = "x" }, cts.Token);

        await ProblemAssert.IsProblemAsync(login, HttpStatusCode.ServiceUnavailable, "session-store-unavailable", cts.Token);
        await ProblemAssert.IsProblemAsync(publish, HttpStatusCode.ServiceUnavailable, "session-store-unavailable", cts.Token);
        Assert.Empty(factory.Publisher.Published);
    }
}
