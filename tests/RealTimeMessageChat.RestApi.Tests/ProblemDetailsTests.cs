using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

public sealed class ProblemDetailsTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/no/such/route", cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found", cts.Token);
    }

    [Fact]
    public async Task WrongMethod_Returns405Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/publishMessage", cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed", cts.Token);
    }

    [Fact]
    public async Task HealthLive_Returns200WithoutCheckingDependencies()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/health/live", cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject body = (await response.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!;
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Metrics_AfterRegistrationAndLogins_CountsThem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();
        string token = await factory.RegisterAndLoginAsync(client, "metrics_user", cts.Token);
        await client.PostAsJsonAsync("/api/v1/auth/login", new { user_id = "metrics_user", password = "wrong-password" }, cts.Token);
        using HttpClient publisher = factory.CreateClient(token);
        HttpResponseMessage published = await publisher.PostAsJsonAsync("/publishMessage", new { content = "counted" }, cts.Token);
        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);

        string text = await client.GetStringAsync("/metrics", cts.Token);

        // OpenTelemetry's Prometheus names: counters end in _total, labels (the meter's scope) may follow.
        Assert.Matches(@"(?m)^rtmc_restapi_registrations_total(\{[^}]*\})? [1-9]", text);
        Assert.Matches(@"(?m)^rtmc_restapi_logins_total(\{[^}]*\})? [1-9]", text);
        Assert.Matches(@"(?m)^rtmc_restapi_login_failures_total(\{[^}]*\})? [1-9]", text);
        Assert.Matches(@"(?m)^rtmc_restapi_messages_published_total(\{[^}]*\})? [1-9]", text);
        Assert.Contains("# TYPE rtmc_restapi_publish_confirm_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("rtmc_restapi_publish_confirm_duration_seconds_bucket{otel_scope_name=\"RealTimeMessageChat.RestApi\",le=\"0.005\"}", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total", text, StringComparison.Ordinal);
    }
}
