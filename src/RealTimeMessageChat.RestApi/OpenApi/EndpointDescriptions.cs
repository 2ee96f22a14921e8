using RealTimeMessageChat.Contracts.Http;

namespace RealTimeMessageChat.RestApi.OpenApi;

/// <summary>
/// What the OpenAPI document says of each endpoint. The handlers read their bodies themselves
/// (size limit, one validation step), so the request and response shapes are declared here.
/// </summary>
internal static class EndpointDescriptions
{
    public static RouteHandlerBuilder ProducesApiProblems(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (int statusCode in statusCodes)
        {
            builder.ProducesProblem(statusCode);
        }

        return builder;
    }

    public static RouteHandlerBuilder DescribePublish(this RouteHandlerBuilder builder, string summary) => builder
        .WithSummary(summary)
        .Accepts<PublishRequest>("application/json")
        .Produces<PublishResponse>(StatusCodes.Status202Accepted)
        .ProducesApiProblems(
            StatusCodes.Status400BadRequest,
            StatusCodes.Status401Unauthorized,
            StatusCodes.Status403Forbidden,
            StatusCodes.Status413PayloadTooLarge,
            StatusCodes.Status415UnsupportedMediaType,
            StatusCodes.Status429TooManyRequests,
            StatusCodes.Status503ServiceUnavailable);
}
