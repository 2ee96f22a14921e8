using System.Net;
using System.Text.Json.Nodes;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

/// <summary>The admin user list's query is refused with the field named, whatever is wrong with it (found from outside: "abc" gave a bare 400).</summary>
public sealed class AdminListQueryTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    [Theory]
    [InlineData("limit=abc")]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("limit=-3")]
    [InlineData("limit=1.5")]
    public async Task List_BadLimit_Returns400NamingIt(string query)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "adm_q" + query.Length + query[^1], cts.Token));

        HttpResponseMessage response = await client.GetAsync("/api/v1/admin/users?" + query, cts.Token);

        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation", cts.Token);
        Assert.Equal(["limit"], ProblemAssert.ErrorFields(problem));
    }
}
