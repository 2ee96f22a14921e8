using System.Data.Common;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.OpenApi;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Login;
using RealTimeMessageChat.RestApi.Problems;
using RealTimeMessageChat.RestApi.Validation;

namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary>
/// Moderation, for admins only: <c>GET /api/v1/admin/users</c> and
/// <c>POST /api/v1/admin/users/{user_id}/{action}</c> with action <c>ban</c>, <c>unban</c>,
/// <c>chat-ban</c>, <c>chat-unban</c>, <c>grant-admin</c> or <c>revoke-admin</c>. Each change is
/// written with its audit row in one transaction, then announced on the moderation channel: a ban
/// ends every session of the user (so every MainServer closes their connections), and any change
/// drops the user from every process's sender cache.
/// </summary>
internal static class AdminEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;
    public const int MaxReasonLength = 500;

    /// <summary>The reason in the TCP error frame of a banned user: <c>session ended: banned</c>.</summary>
    public const string BannedReason = "banned";

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder admin = endpoints.MapGroup("/api/v1/admin/users").RequireAuthorization();
        admin.MapGet(string.Empty, ListAsync).WithName("AdminListUsers")
            .WithSummary("Users with their flags, ordered by user id, a page at a time (admins only)")
            .Produces<AdminUsersResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/{user_id}/{action}", ApplyAsync).WithName("AdminModerate")
            .WithSummary("ban, unban, chat-ban, chat-unban, grant-admin or revoke-admin a user, with an optional reason (admins only)")
            .Accepts<ModerationRequest>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<AdminUsersResponse>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user,
        [FromQuery] string? after,
        [FromQuery] string? limit,
        IUserRepository users,
        IModerationRepository moderation,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        if (!PageLimit.TryParse(limit, DefaultLimit, MaxLimit, out int take))
        {
            return ApiProblems.Validation("limit", $"must be 1..{MaxLimit}.");
        }

        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        try
        {
            if (await RequireAdminAsync(user, users, cancellationToken) is { } refused)
            {
                return refused;
            }

            IReadOnlyList<ModeratedUser> page = await moderation.ListUsersAsync(after, take + 1, cancellationToken);
            var items = page.Take(take).Select(u => new AdminUser(u.UserId, u.Username, u.IsAdmin, u.IsBanned, u.IsChatBanned, u.CreatedAt)).ToList();
            string? next = page.Count > take ? items[^1].UserId : null;
            return TypedResults.Json(new AdminUsersResponse(items, next), ContractsJsonContext.Default.AdminUsersResponse);
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> ApplyAsync(
        HttpContext context,
        ClaimsPrincipal user,
        [FromRoute(Name = "user_id")] string userId,
        [FromRoute] string action,
        IOptions<RestApiOptions> options,
        IUserRepository users,
        IModerationRepository moderation,
        ISessionStore sessions,
        IModerationEvents events,
        SenderStatusCache senders,
        SessionCheckCache sessionChecks,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        if (!ModerationActions.TryParse(action, out ModerationAction kind))
        {
            return ApiProblems.NotFound("Unknown moderation action; use ban, unban, chat-ban, chat-unban, grant-admin or revoke-admin.");
        }

        if (!MessageRules.IsValidUserId(userId))
        {
            return ApiProblems.Validation("user_id", "must match [A-Za-z0-9_-]{1,64}.");
        }

        string? reason = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            (ModerationRequest? body, ProblemHttpResult? problem) = await JsonBodyReader.ReadAsync(
                context.Request, ContractsJsonContext.Default.ModerationRequest, options.Value.MaxBodyBytes, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            reason = body!.Reason;
            if (reason is { Length: > MaxReasonLength })
            {
                return ApiProblems.Validation("reason", $"at most {MaxReasonLength} characters.");
            }
        }

        string actor = user.FindFirstValue(JwtRegisteredClaimNames.Sub)!;

        // An admin who bans or demotes themselves may leave nobody to undo it.
        if (actor == userId && kind is ModerationAction.Ban or ModerationAction.RevokeAdmin or ModerationAction.ChatBan)
        {
            return ApiProblems.Validation("user_id", "an admin cannot do this to their own account.");
        }

        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        try
        {
            if (await RequireAdminAsync(user, users, cancellationToken) is { } refused)
            {
                return refused;
            }

            if (!await moderation.ApplyAsync(actor, kind, userId, reason, cancellationToken))
            {
                return ApiProblems.NotFound($"No user '{userId}'.");
            }
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        // This process at once; the others through the channel.
        senders.Invalidate(userId);
        EndpointLog.ModerationApplied(logger, actor, kind.AuditName(), userId);
        try
        {
            if (kind == ModerationAction.Ban)
            {
                await sessions.EndAllAsync(userId, BannedReason, cancellationToken);
                sessionChecks.OnEvent(new ModerationEvent(ModerationEvent.UserSessionsEnded, userId, null, BannedReason));
            }
            else
            {
                await events.PublishAsync(new ModerationEvent(ModerationEvent.AccountChanged, userId, null, kind.AuditName()), cancellationToken);
            }
        }
        catch (MessageLogException ex)
        {
            // Stored and audited: the flag holds at the next login and publish check (within
            // sender_status_cache_sec elsewhere), but live sessions stay open. Say so.
            EndpointLog.ModerationAnnounceFailed(logger, actor, kind.AuditName(), userId, ex.Message);
            return ApiProblems.SessionStoreUnavailable();
        }

        return TypedResults.NoContent();
    }

    /// <summary>Null for an admin; else the 403. Asks PostgreSQL each time: admin calls are rare, and a revoked admin must stop at once.</summary>
    private static async Task<ProblemHttpResult?> RequireAdminAsync(ClaimsPrincipal user, IUserRepository users, CancellationToken cancellationToken)
    {
        UserAccount? caller = await users.FindAsync(user.FindFirstValue(JwtRegisteredClaimNames.Sub)!, cancellationToken);
        return caller is { IsAdmin: true, IsBanned: false } ? null : ApiProblems.AdminRequired();
    }
}
