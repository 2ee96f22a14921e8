using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RealTimeMessageChat.RestApi.OpenApi;

/// <summary>
/// Our bodies are snake_case on the wire (Contracts' source-generated context, CONTRACT.md), but
/// the document generator names properties with the app-wide JSON policy, which stays ASP.NET's
/// camelCase so problem details keep their standard <c>traceId</c>. Rename our types' properties.
/// </summary>
internal sealed class SnakeCaseSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        string? ns = context.JsonTypeInfo.Type.Namespace;
        if (schema.Properties is { Count: > 0 } properties && ns is not null && ns.StartsWith("RealTimeMessageChat.", StringComparison.Ordinal))
        {
            schema.Properties = properties.ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), p => p.Value);
            if (schema.Required is { Count: > 0 } required)
            {
                schema.Required = required.Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToHashSet();
            }
        }

        return Task.CompletedTask;
    }
}
