using System.Text.Json.Nodes;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

public sealed class OpenApiDocumentTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    // Every endpoint of CONTRACT.md that the RestApi serves today (logout arrives with the sessions issue).
    public static TheoryData<string, string> ContractEndpoints => new()
    {
        { "post", "/api/v1/users" },
        { "post", "/api/v1/auth/login" },
        { "post", "/publishMessage" },
        { "post", "/api/v1/messages/send" },
        { "get", "/api/v1/messages" },
        { "get", "/health/live" },
        { "get", "/health/ready" },
        { "get", "/metrics" },
    };

    [Theory]
    [MemberData(nameof(ContractEndpoints))]
    public async Task Document_ListsEveryContractEndpoint(string method, string path)
    {
        JsonNode document = await GetDocumentAsync();

        Assert.NotNull(document["paths"]?[path]?[method]);
    }

    [Theory]
    [InlineData("/publishMessage", "400")]
    [InlineData("/publishMessage", "503")]
    [InlineData("/api/v1/auth/login", "401")]
    [InlineData("/api/v1/users", "409")]
    public async Task Document_DescribesErrorsAsProblemDetails(string path, string status)
    {
        JsonNode document = await GetDocumentAsync();

        JsonNode? content = document["paths"]![path]!["post"]!["responses"]![status]?["content"];
        Assert.NotNull(content?["application/problem+json"]);
    }

    [Fact]
    public async Task Document_NamesBodiesAsTheWireDoes()
    {
        JsonNode document = await GetDocumentAsync();

        JsonNode? schemas = document["components"]?["schemas"];
        Assert.NotNull(schemas?["PublishRequest"]?["properties"]?["message_id"]);
        Assert.NotNull(schemas?["PublishResponse"]?["properties"]?["queue_name"]);
        Assert.NotNull(document["paths"]!["/publishMessage"]!["post"]!["responses"]!["202"]);
        Assert.Equal("bearer", document["components"]?["securitySchemes"]?["Bearer"]?["scheme"]?.GetValue<string>());
    }

    private async Task<JsonNode> GetDocumentAsync()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();
        string text = await client.GetStringAsync("/openapi/v1.json", cts.Token);
        return JsonNode.Parse(text)!;
    }
}
