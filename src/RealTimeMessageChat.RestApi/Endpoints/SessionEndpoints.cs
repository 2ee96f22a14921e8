using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.JsonWebTokens;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.OpenApi;
using RealTimeMessageChat.RestApi.Login;
using RealTimeMessageChat.RestApi.Problems;

namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary>
/// <c>POST /api/v1/auth/logout</c>, <c>GET /api/v1/auth/sessions</c> and
/// <c>DELETE /api/v1/auth/sessions/{id}</c>. Ending a session deletes it from Redis and announces
/// it, so the token is refused from then on and every MainServer closes the connections on it.
/// </summary>
internal static class SessionEndpoints
{
    /// <summary>The reasons the TCP error frame carries: <c>session ended: logout</c>, <c>session ended: ended</c>.</summary>
    public const string LogoutReason = "logout";
    public const string EndedReason = "ended";

    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder auth = endpoints.MapGroup("/api/v1/auth").RequireAuthorization();
        auth.MapPost("/logout", LogoutAsync).WithName("Logout")
            .WithSummary("End this token's session: the token stops working everywhere and its TCP connections are closed")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesApiProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);
        auth.MapGet("/sessions", ListAsync).WithName("ListSessions")
            .WithSummary("My live login sessions, oldest first")
            .Produces<SessionsResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);
        auth.MapDelete("/sessions/{id}", EndAsync).WithName("EndSession")
            .WithSummary("End one of my sessions")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesApiProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> LogoutAsync(
        ClaimsPrincipal user, ISessionStore sessions, SessionCheckCache checks, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        (string userId, string tokenId) = Identity(user);
        return await EndSessionAsync(sessions, checks, userId, tokenId, LogoutReason, loggerFactory, cancellationToken) is { } problem
            ? problem
            : TypedResults.NoContent();
    }

    internal static async Task<Results<JsonHttpResult<SessionsResponse>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, ISessionStore sessions, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        (string userId, string tokenId) = Identity(user);
        IReadOnlyList<LoginSession> mine;
        try
        {
            mine = await sessions.ListAsync(userId, cancellationToken);
        }
        catch (MessageLogException ex)
        {
            EndpointLog.SessionStoreFailed(loggerFactory.CreateLogger(EndpointLog.Category), ex.Message);
            return ApiProblems.SessionStoreUnavailable();
        }

        var items = mine.Select(s => new SessionInfo(s.TokenId, Seconds(s.CreatedAt), Seconds(s.ExpiresAt), s.Client, s.TokenId == tokenId)).ToList();
        return TypedResults.Json(new SessionsResponse(items), ContractsJsonContext.Default.SessionsResponse);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> EndAsync(
        [FromRoute] string id, ClaimsPrincipal user, ISessionStore sessions, SessionCheckCache checks, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        (string userId, _) = Identity(user);
        return await EndSessionAsync(sessions, checks, userId, id, EndedReason, loggerFactory, cancellationToken) is { } problem
            ? problem
            : TypedResults.NoContent();
    }

    /// <summary>Null when ended; a 404 when <paramref name="userId"/> has no such session (someone else's is no different).</summary>
    private static async Task<ProblemHttpResult?> EndSessionAsync(
        ISessionStore sessions, SessionCheckCache checks, string userId, string tokenId, string reason, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        try
        {
            if (!await sessions.EndAsync(userId, tokenId, reason, cancellationToken))
            {
                return ApiProblems.NotFound("No such session.");
            }
        }
        catch (MessageLogException ex)
        {
            EndpointLog.SessionStoreFailed(logger, ex.Message);
            return ApiProblems.SessionStoreUnavailable();
        }

        // This process at once; the other RestApis when the announcement reaches them.
        checks.OnEvent(new ModerationEvent(ModerationEvent.SessionEnded, userId, tokenId, reason));
        EndpointLog.SessionEnded(logger, userId, tokenId, reason);
        return null;
    }

    // The bearer handler let the request in only with both (SessionValidation).
    private static (string UserId, string TokenId) Identity(ClaimsPrincipal user) =>
        (user.FindFirstValue(JwtRegisteredClaimNames.Sub)!, user.FindFirstValue(JwtRegisteredClaimNames.Jti)!);

    private static DateTimeOffset Seconds(DateTimeOffset value) => DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());
}
