using System.Data.Common;
using System.Security.Claims;
using System.Security.Cryptography;
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
/// <c>POST /api/v1/rooms</c> (the creator becomes owner and first member), <c>GET /api/v1/rooms</c>
/// (public rooms and the caller's, with the caller's unread counts) and <c>GET /api/v1/rooms/{room}</c>.
/// PostgreSQL holds the rooms; the newest seq of each comes from the message log.
/// </summary>
internal static class RoomEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapRoomEndpoints(this IEndpointRouteBuilder endpoints)
    {
        RouteGroupBuilder rooms = endpoints.MapGroup("/api/v1/rooms").RequireAuthorization();
        rooms.MapPost(string.Empty, CreateAsync).WithName("CreateRoom")
            .WithSummary("Create a public or private room; the caller becomes its owner and first member")
            .Accepts<CreateRoomRequest>("application/json")
            .Produces<RoomResponse>(StatusCodes.Status201Created)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status409Conflict, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status503ServiceUnavailable);
        rooms.MapGet(string.Empty, ListAsync).WithName("ListRooms")
            .WithSummary("Public rooms and the caller's, ordered by room id, with the caller's unread counts, a page at a time")
            .Produces<RoomsResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable);
        rooms.MapGet("/{room}", GetAsync).WithName("GetRoom")
            .WithSummary("One room; a private or direct room only for its members and admins")
            .Produces<RoomResponse>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<RoomResponse>, ProblemHttpResult>> CreateAsync(
        HttpContext context,
        ClaimsPrincipal user,
        IOptions<RestApiOptions> options,
        IRoomRepository rooms,
        RoomAnnouncer announcer,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        CancellationToken cancellationToken = context.RequestAborted;
        (CreateRoomRequest? body, ProblemHttpResult? problem) = await JsonBodyReader.ReadValidAsync(
            context.Request, ContractsJsonContext.Default.CreateRoomRequest, options.Value.MaxBodyBytes, RequestValidator.ValidateCreateRoom, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        string caller = RoomViews.Caller(user);
        string roomId = body!.RoomId ?? NewRoomId();
        var room = new RoomRecord(roomId, body.Name!, body.Visibility!, caller, timeProvider.GetUtcNow());
        long? afterSeq = await announcer.SeqBeforeChangeAsync(roomId, cancellationToken);
        try
        {
            if (!await rooms.TryCreateAsync(room, cancellationToken))
            {
                return ApiProblems.RoomExists(roomId);
            }

            room = await rooms.FindAsync(roomId, cancellationToken) ?? room;
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(loggerFactory.CreateLogger(EndpointLog.Category), ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        await announcer.AnnounceAsync(RoomMemberEvents.MemberAdded(roomId, caller, afterSeq), cancellationToken);
        context.Response.Headers.Location = $"/api/v1/rooms/{roomId}";

        // A new room has no messages yet.
        return TypedResults.Json(RoomViews.View(room, true, 0, 0), ContractsJsonContext.Default.RoomResponse, statusCode: StatusCodes.Status201Created);
    }

    // Query values arrive as strings so a bad one is a validation problem naming it, not a bare 400.
    internal static async Task<Results<JsonHttpResult<RoomsResponse>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user,
        [FromQuery(Name = "after")] string? after,
        [FromQuery(Name = "limit")] string? limit,
        IRoomRepository rooms,
        IMessageLog log,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        if (PageLimit.ValidateAfterPage(after, limit, DefaultLimit, MaxLimit, RequestValidator.RoomIdProblem, out int take) is { } errors)
        {
            return ApiProblems.Validation(errors);
        }

        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        IReadOnlyList<RoomListing> listings;
        try
        {
            listings = await rooms.ListVisibleAsync(RoomViews.Caller(user), string.IsNullOrEmpty(after) ? null : after, take, cancellationToken);
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        // One GET per room, all in flight at once on the multiplexed Redis connection.
        long?[] lastSeqs = await Task.WhenAll(listings.Select(l => RoomViews.LastSeqAsync(log, l.Room.RoomId, logger, cancellationToken)));
        var views = listings.Select((l, i) => RoomViews.View(l.Room, l.IsMember, l.ReadSeq, lastSeqs[i])).ToList();
        return TypedResults.Json(new RoomsResponse(views), ContractsJsonContext.Default.RoomsResponse);
    }

    internal static async Task<Results<JsonHttpResult<RoomResponse>, ProblemHttpResult>> GetAsync(
        ClaimsPrincipal user,
        [FromRoute(Name = "room")] string roomId,
        IRoomRepository rooms,
        IUserRepository users,
        IRoomMembership membership,
        IMessageLog log,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        if (!MessageRules.IsValidUserId(roomId))
        {
            return ApiProblems.Validation("room", RequestValidator.RoomIdProblem);
        }

        ILogger logger = loggerFactory.CreateLogger(EndpointLog.Category);
        string caller = RoomViews.Caller(user);
        RoomRecord? room;
        bool isMember;
        try
        {
            room = await rooms.FindAsync(roomId, cancellationToken);
            if (room is null)
            {
                return ApiProblems.RoomNotFound(roomId, "room");
            }

            isMember = await membership.IsMemberAsync(roomId, caller, cancellationToken);
            if (!isMember && room.Visibility != RoomVisibility.Public && !await RoomViews.IsAdminAsync(users, caller, cancellationToken))
            {
                return ApiProblems.NotRoomMember(roomId, "room");
            }
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        long? readSeq = null;
        if (isMember)
        {
            try
            {
                readSeq = await rooms.GetReadSeqAsync(roomId, caller, cancellationToken);
            }
            catch (DbException ex)
            {
                EndpointLog.DatabaseFailed(logger, ex.GetType().Name, ex.Message);
                return ApiProblems.DatabaseUnavailable();
            }
        }

        long? lastSeq = await RoomViews.LastSeqAsync(log, roomId, logger, cancellationToken);
        return TypedResults.Json(RoomViews.View(room, isMember, readSeq, lastSeq), ContractsJsonContext.Default.RoomResponse);
    }

    /// <summary><c>r-</c> and 16 random hex characters: matches the room id pattern, outside <c>dm-</c>.</summary>
    private static string NewRoomId() => "r-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
