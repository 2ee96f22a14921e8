using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.RestApi.Validation;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.OpenApi;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Problems;

namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary>
/// <c>GET /api/v1/users/{user_id}/status</c> (cache-aside: Redis, then PostgreSQL, then the
/// answer is cached in Redis) and <c>GET /api/v1/users/online?after=&amp;limit=</c> (from Redis).
/// </summary>
internal static partial class PresenceEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapPresenceEndpoints(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder users = endpoints.MapGroup("/api/v1/users");
        users.MapGet("/online", ListOnlineAsync).RequireAuthorization().WithName("ListOnlineUsers")
            .WithSummary("Users online now, ordered by user id, a page at a time")
            .Produces<OnlineUsersResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);
        users.MapGet("/{user_id}/status", GetStatusAsync).RequireAuthorization().WithName("GetUserStatus")
            .WithSummary("A user's presence: online, status text, last seen")
            .Produces<UserStatusResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<UserStatusResponse>, ProblemHttpResult>> GetStatusAsync(
        [FromRoute(Name = "user_id")] string userId,
        IPresenceReader cache,
        IPresenceRepository database,
        IOptions<RestApiOptions> options,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        if (!MessageRules.IsValidUserId(userId))
        {
            return ApiProblems.Validation("user_id", "must match [A-Za-z0-9_-]{1,64}.");
        }

        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        PresenceRecord? record = null;
        bool cacheUp = true;
        try
        {
            record = await cache.GetAsync(userId, cancellationToken);
        }
        catch (Exception ex) when (ex is MessageLogException)
        {
            // Redis is a cache here: PostgreSQL still answers.
            cacheUp = false;
            LogCacheFailed(logger, ex.Message);
        }

        if (record is null)
        {
            try
            {
                record = await database.FindAsync(userId, cancellationToken);
            }
            catch (DbException ex)
            {
                EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
                return ApiProblems.DatabaseUnavailable();
            }

            if (record is null)
            {
                return TypedResults.Problem(new ProblemDetails
                {
                    Status = StatusCodes.Status404NotFound,
                    Type = ProblemTypes.NotFound,
                    Title = "Not found",
                    Detail = $"There is no user '{userId}'.",
                });
            }

            if (cacheUp)
            {
                try
                {
                    await cache.FillAsync(record, TimeSpan.FromSeconds(options.Value.PresenceCacheTtlSeconds), cancellationToken);
                }
                catch (MessageLogException ex)
                {
                    LogCacheFailed(logger, ex.Message);
                }
            }
        }

        return TypedResults.Json(new UserStatusResponse(record.UserId, record.Online, record.Status, record.LastSeenAt), ContractsJsonContext.Default.UserStatusResponse);
    }

    // Query values arrive as strings so a bad one is a validation problem naming it, not a bare 400.
    internal static async Task<Results<JsonHttpResult<OnlineUsersResponse>, ProblemHttpResult>> ListOnlineAsync(
        [FromQuery(Name = "after")] string? after,
        [FromQuery(Name = "limit")] string? limit,
        IPresenceReader cache,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        if (PageLimit.ValidateAfterPage(after, limit, DefaultLimit, MaxLimit, RequestValidator.UserIdProblem, out int pageSize) is { } errors)
        {
            return ApiProblems.Validation(errors);
        }

        IReadOnlyList<PresenceRecord> online;
        try
        {
            // One more than asked, to know whether a next page exists.
            online = await cache.ListOnlineAsync(after, pageSize + 1, cancellationToken);
        }
        catch (MessageLogException ex)
        {
            LogCacheFailed(loggerFactory.CreateLogger(EndpointLog.Category), ex.Message);
            return TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.PresenceUnavailable,
                Title = "Presence unavailable",
                Detail = "The presence store is not reachable; retry later.",
            });
        }

        bool more = online.Count > pageSize;
        var users = online.Take(pageSize).Select(r => new OnlineUser(r.UserId, r.Status)).ToList();
        return TypedResults.Json(new OnlineUsersResponse(users, more ? users[^1].UserId : null), ContractsJsonContext.Default.OnlineUsersResponse);
    }

    [LoggerMessage(EventId = 1040, Level = LogLevel.Warning, Message = "The presence cache (Redis) failed: {Reason}")]
    private static partial void LogCacheFailed(ILogger logger, string reason);
}
