using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Problems;
using RealTimeMessageChat.RestApi.Publishing;
using RealTimeMessageChat.RestApi.Validation;
using RealTimeMessageChat.RestApi.OpenApi;

namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary>
/// <c>POST /publishMessage</c> (the original's path) and <c>POST /api/v1/messages/send</c>: queue a
/// message for broadcast, answering 202 only after the broker confirmed it. A <c>sub_id</c> other
/// than the global room <c>""</c> must name a room the sender is a member of (issue 8).
/// </summary>
internal static class MessageEndpoints
{
    public const string RateLimitPolicy = "per-user";

    public static IEndpointRouteBuilder MapMessageEndpoints(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder group = endpoints.MapGroup(string.Empty).RequireAuthorization().RequireRateLimiting(RateLimitPolicy);
        group.MapPost("/publishMessage", PublishAsync).WithName("PublishMessage").DescribePublish("Queue a message for broadcast (the original's path)");
        group.MapPost("/api/v1/messages/send", PublishAsync).WithName("SendMessage").DescribePublish("Queue a message for broadcast");
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<PublishResponse>, ProblemHttpResult>> PublishAsync(
        HttpContext context,
        IOptions<RestApiOptions> options,
        MessageAcceptor acceptor)
    {
        CancellationToken requestAborted = context.RequestAborted;
        string? sender = context.User.FindFirstValue(JwtRegisteredClaimNames.Sub);
        if (string.IsNullOrEmpty(sender))
        {
            return ApiProblems.Unauthorized("The token has no subject.");
        }

        (PublishRequest? body, ProblemHttpResult? problem) = await JsonBodyReader.ReadValidAsync(
            context.Request, ContractsJsonContext.Default.PublishRequest, options.Value.MaxBodyBytes, RequestValidator.ValidatePublish, requestAborted);
        if (problem is not null)
        {
            return problem;
        }

        (PublishResponse? accepted, ProblemHttpResult? refused) = await acceptor.AcceptAsync(sender, body!, requestAborted);
        return refused is not null
            ? refused
            : TypedResults.Json(accepted!, ContractsJsonContext.Default.PublishResponse, statusCode: StatusCodes.Status202Accepted);
    }
}
