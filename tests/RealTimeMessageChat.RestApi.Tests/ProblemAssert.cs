using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

/// <summary>Checks that an error answer is an RFC 9457 problem with the expected status and type.</summary>
internal static class ProblemAssert
{
    public const string TypeBase = "https://realtimemessagechat/problems/";

    public static async Task<JsonObject> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type, CancellationToken cancellationToken)
    {
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonObject problem = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        Assert.Equal(TypeBase + type, problem["type"]?.GetValue<string>());
        Assert.Equal((int)status, problem["status"]?.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
        return problem;
    }

    /// <summary>The field names of a validation problem's <c>errors</c>.</summary>
    public static IReadOnlyCollection<string> ErrorFields(JsonObject problem) =>
        problem["errors"]?.AsObject().Select(p => p.Key).ToList() ?? [];
}
