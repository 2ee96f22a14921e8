using System.Data.Common;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.OpenApi;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Problems;
using RealTimeMessageChat.RestApi.Rooms;
using RealTimeMessageChat.RestApi.Validation;

namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary>
/// A room's members and read receipts: join a public room (or, as its owner or an admin, add anyone),
/// leave (or, as owner or admin, remove), list the members with who is online, list the reads.
/// Every change is committed, then announced with <see cref="RoomMemberEvents"/>. A direct room's
/// two members are fixed.
/// </summary>
internal static class RoomMemberEndpoints
{
    public const string LeftReason = "left";
    public const string RemovedReason = "removed";

    public static IEndpointRouteBuilder MapRoomMemberEndpoints(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder rooms = endpoints.MapGroup("/api/v1/rooms/{room}").RequireAuthorization();
        rooms.MapPost("/members", AddAsync).WithName("AddRoomMember")
            .WithSummary("Join a public room (no body or no user_id), or add user_id as the room's owner or an admin; 201 added, 200 already a member")
            .Accepts<AddMemberRequest>("application/json")
            .Produces<RoomMembershipResponse>(StatusCodes.Status201Created)
            .Produces<RoomMembershipResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status503ServiceUnavailable);
        rooms.MapDelete("/members/{user}", RemoveAsync).WithName("RemoveRoomMember")
            .WithSummary("Leave the room (user is the caller), or remove user as the room's owner or an admin")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        rooms.MapGet("/members", ListMembersAsync).WithName("ListRoomMembers")
            .WithSummary("The room's members with who is online; a private or direct room only for its members and admins")
            .Produces<RoomMembersResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        rooms.MapGet("/reads", ListReadsAsync).WithName("ListRoomReads")
            .WithSummary("The room's newest seq and each member's highest read seq (members and admins only)")
            .Produces<RoomReadsResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<RoomMembershipResponse>, ProblemHttpResult>> AddAsync(
        HttpContext context,
        ClaimsPrincipal user,
        [FromRoute(Name = "room")] string roomId,
        IOptions<RestApiOptions> options,
        IRoomRepository rooms,
        IUserRepository users,
        RoomAnnouncer announcer,
        ILoggerFactory loggerFactory)
    {
        CancellationToken cancellationToken = context.RequestAborted;
        if (!MessageRules.IsValidUserId(roomId))
        {
            return ApiProblems.Validation("room", RequestValidator.RoomIdProblem);
        }

        string caller = RoomViews.Caller(user);
        string target = caller;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            (AddMemberRequest? body, ProblemHttpResult? problem) = await JsonBodyReader.ReadValidAsync(
                context.Request, ContractsJsonContext.Default.AddMemberRequest, options.Value.MaxBodyBytes, RequestValidator.ValidateAddMember, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            target = body!.UserId ?? caller;
        }

        bool added;
        long? afterSeq;
        try
        {
            RoomRecord? room = await rooms.FindAsync(roomId, cancellationToken);
            if (RefuseMemberChange(room, roomId) is { } refused)
            {
                return refused;
            }

            bool self = target == caller;
            if (room!.OwnerId != caller && !(self && room.Visibility == RoomVisibility.Public) && !await RoomViews.IsAdminAsync(users, caller, cancellationToken))
            {
                return self
                    ? ApiProblems.RoomForbidden($"Room '{roomId}' is private: only its owner or an admin adds members.", "room")
                    : ApiProblems.RoomForbidden($"Only the owner of room '{roomId}' or an admin adds other users.", "user_id");
            }

            if (!self && await users.FindAsync(target, cancellationToken) is null)
            {
                return ApiProblems.NotFound($"There is no user '{target}'.", "user_id");
            }

            afterSeq = await announcer.SeqBeforeChangeAsync(roomId, cancellationToken);
            added = await rooms.AddMemberAsync(roomId, target, cancellationToken);
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(loggerFactory.CreateLogger(EndpointLog.Category), ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        if (added)
        {
            await announcer.AnnounceAsync(RoomMemberEvents.MemberAdded(roomId, target, afterSeq), cancellationToken);
        }

        return TypedResults.Json(
            new RoomMembershipResponse(roomId, target, added), ContractsJsonContext.Default.RoomMembershipResponse,
            statusCode: added ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        ClaimsPrincipal user,
        [FromRoute(Name = "room")] string roomId,
        [FromRoute(Name = "user")] string target,
        IRoomRepository rooms,
        IUserRepository users,
        RoomAnnouncer announcer,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!MessageRules.IsValidUserId(roomId))
        {
            errors["room"] = [RequestValidator.RoomIdProblem];
        }

        if (!MessageRules.IsValidUserId(target))
        {
            errors["user"] = [RequestValidator.UserIdProblem];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        string caller = RoomViews.Caller(user);
        bool self = target == caller;
        try
        {
            RoomRecord? room = await rooms.FindAsync(roomId, cancellationToken);
            if (RefuseMemberChange(room, roomId) is { } refused)
            {
                return refused;
            }

            if (!self && room!.OwnerId != caller && !await RoomViews.IsAdminAsync(users, caller, cancellationToken))
            {
                return ApiProblems.RoomForbidden($"Only the owner of room '{roomId}' or an admin removes other members.", "user");
            }

            if (!await rooms.RemoveMemberAsync(roomId, target, cancellationToken))
            {
                return ApiProblems.NotFound($"'{target}' is not a member of room '{roomId}'.", "user");
            }
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(loggerFactory.CreateLogger(EndpointLog.Category), ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        await announcer.AnnounceAsync(RoomMemberEvents.MemberRemoved(roomId, target, self ? LeftReason : RemovedReason), cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<JsonHttpResult<RoomMembersResponse>, ProblemHttpResult>> ListMembersAsync(
        ClaimsPrincipal user,
        [FromRoute(Name = "room")] string roomId,
        IRoomRepository rooms,
        IUserRepository users,
        IPresenceReader presence,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        (RoomRecord? room, IReadOnlyList<RoomMemberRow>? members, ProblemHttpResult? problem) = await ReadVisibleAsync(
            user, roomId, allowPublic: true, rooms, users, logger, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        bool?[] online;
        try
        {
            // No presence hash means no MainServer has the user connected.
            PresenceRecord?[] records = await Task.WhenAll(members!.Select(m => presence.GetAsync(m.UserId, cancellationToken)));
            online = [.. records.Select(r => (bool?)(r?.Online ?? false))];
        }
        catch (MessageLogException ex)
        {
            RoomViews.LogPresenceUnavailable(logger, roomId, ex.Message);
            online = new bool?[members!.Count];
        }

        var items = members!.Select((m, i) => new RoomMemberItem(m.UserId, m.UserId == room!.OwnerId, m.JoinedAt, online[i])).ToList();
        return TypedResults.Json(new RoomMembersResponse(roomId, items), ContractsJsonContext.Default.RoomMembersResponse);
    }

    internal static async Task<Results<JsonHttpResult<RoomReadsResponse>, ProblemHttpResult>> ListReadsAsync(
        ClaimsPrincipal user,
        [FromRoute(Name = "room")] string roomId,
        IRoomRepository rooms,
        IUserRepository users,
        IMessageLog log,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        (_, _, ProblemHttpResult? problem) = await ReadVisibleAsync(user, roomId, allowPublic: false, rooms, users, logger, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        IReadOnlyList<RoomReadRow> reads;
        try
        {
            reads = await rooms.ListReadsAsync(roomId, cancellationToken);
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        long? lastSeq = await RoomViews.LastSeqAsync(log, roomId, logger, cancellationToken);
        var items = reads.Select(r => new RoomReadItem(r.UserId, r.Seq, r.UpdatedAt)).ToList();
        return TypedResults.Json(new RoomReadsResponse(roomId, lastSeq, items), ContractsJsonContext.Default.RoomReadsResponse);
    }

    /// <summary>Why the members of <paramref name="room"/> cannot be changed: it does not exist (404), or it is a DM room (403); null when they can.</summary>
    private static ProblemHttpResult? RefuseMemberChange(RoomRecord? room, string roomId) =>
        room is null ? ApiProblems.RoomNotFound(roomId, "room")
        : room.Visibility == RoomVisibility.Direct ? ApiProblems.RoomForbidden("A direct-message room's two members are fixed.", "room")
        : null;

    /// <summary>
    /// The room and its members when the caller may see them: a member, an admin, or anyone for a
    /// public room when <paramref name="allowPublic"/>. Else the problem (400, 404, 403 or 503).
    /// </summary>
    private static async Task<(RoomRecord? Room, IReadOnlyList<RoomMemberRow>? Members, ProblemHttpResult? Problem)> ReadVisibleAsync(
        ClaimsPrincipal user, string roomId, bool allowPublic, IRoomRepository rooms, IUserRepository users, ILogger logger, CancellationToken cancellationToken)
    {
        if (!MessageRules.IsValidUserId(roomId))
        {
            return (null, null, ApiProblems.Validation("room", RequestValidator.RoomIdProblem));
        }

        string caller = RoomViews.Caller(user);
        try
        {
            RoomRecord? room = await rooms.FindAsync(roomId, cancellationToken);
            if (room is null)
            {
                return (null, null, ApiProblems.RoomNotFound(roomId, "room"));
            }

            IReadOnlyList<RoomMemberRow> members = await rooms.ListMembersAsync(roomId, cancellationToken);
            bool visible = (allowPublic && room.Visibility == RoomVisibility.Public)
                           || members.Any(m => m.UserId == caller)
                           || await RoomViews.IsAdminAsync(users, caller, cancellationToken);
            return visible ? (room, members, null) : (null, null, ApiProblems.NotRoomMember(roomId, "room"));
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return (null, null, ApiProblems.DatabaseUnavailable());
        }
    }
}
