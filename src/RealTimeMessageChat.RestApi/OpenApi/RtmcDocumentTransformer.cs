using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RealTimeMessageChat.RestApi.OpenApi;

/// <summary>
/// Completes the generated document: the Bearer scheme the message endpoints require, and the
/// health and metrics endpoints, which are not route handlers and so are not discovered.
/// </summary>
internal sealed class RtmcDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "RealTimeMessageChat RestApi",
            Version = "v1",
            Description = "Accounts, login, publishing to the broadcast queue and message history. Errors are application/problem+json (RFC 9457).",
        };

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The token from POST /api/v1/auth/login.",
        };

        document.Paths ??= [];
        AddGet(document, "/health/live", "The process runs (no dependency checked)", "200 always while the process serves HTTP");
        AddGet(document, "/health/ready", "Every dependency answers", "200 when ready, 503 with each dependency's status otherwise");
        AddGet(document, "/metrics", "Prometheus text format", "The metrics of this process");
        return Task.CompletedTask;
    }

    private static void AddGet(OpenApiDocument document, string path, string summary, string description) =>
        document.Paths[path] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = summary,
                    Responses = new OpenApiResponses { ["200"] = new OpenApiResponse { Description = description } },
                },
            },
        };
}
