using System.Data.Common;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Contracts.Rooms;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.OpenApi;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Problems;
using RealTimeMessageChat.RestApi.Publishing;
using RealTimeMessageChat.RestApi.Rooms;
using RealTimeMessageChat.RestApi.Validation;

namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary>
/// <c>POST /api/v1/messages/direct</c> <c>{"to", "content", "message_id"?}</c>: a message to one user,
/// published to their direct room (<see cref="DirectRoomId"/>), which the first message creates with
/// both users as its members. From then on the DM is a room like any other: its own seq, history
/// (<c>GET /api/v1/messages?sub_id=dm-...</c>) and replay.
/// </summary>
internal static class DirectMessageEndpoints
{
    public static IEndpointRouteBuilder MapDirectMessageEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/messages/direct", SendAsync).RequireAuthorization().RequireRateLimiting(MessageEndpoints.RateLimitPolicy).WithName("SendDirectMessage")
            .WithSummary("Queue a direct message to one user; the answer names the DM room (sub_id)")
            .Accepts<DirectMessageRequest>("application/json")
            .Produces<DirectMessageResponse>(StatusCodes.Status202Accepted)
            .ProducesApiProblems(
                StatusCodes.Status400BadRequest,
                StatusCodes.Status401Unauthorized,
                StatusCodes.Status403Forbidden,
                StatusCodes.Status404NotFound,
                StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType,
                StatusCodes.Status429TooManyRequests,
                StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    internal static async Task<Results<JsonHttpResult<DirectMessageResponse>, ProblemHttpResult>> SendAsync(
        HttpContext context,
        ClaimsPrincipal user,
        IOptions<RestApiOptions> options,
        IUserRepository users,
        IRoomRepository rooms,
        RoomAnnouncer announcer,
        MessageAcceptor acceptor,
        ILoggerFactory loggerFactory)
    {
        CancellationToken cancellationToken = context.RequestAborted;
        string? sender = user.FindFirstValue(JwtRegisteredClaimNames.Sub);
        if (string.IsNullOrEmpty(sender))
        {
            return ApiProblems.Unauthorized("The token has no subject.");
        }

        (DirectMessageRequest? body, ProblemHttpResult? problem) = await JsonBodyReader.ReadValidAsync(
            context.Request, ContractsJsonContext.Default.DirectMessageRequest, options.Value.MaxBodyBytes, RequestValidator.ValidateDirect, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        string to = body!.To!;
        if (to == sender)
        {
            return ApiProblems.Validation("to", "must be another user than the sender.");
        }

        string roomId = DirectRoomId.For(sender, to);
        IReadOnlyList<string> added;
        long? afterSeq;
        try
        {
            if (await users.FindAsync(to, cancellationToken) is null)
            {
                return ApiProblems.NotFound($"There is no user '{to}'.", "to");
            }

            afterSeq = await announcer.SeqBeforeChangeAsync(roomId, cancellationToken);
            added = await rooms.EnsureDirectAsync(roomId, sender, to, cancellationToken);
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(loggerFactory.CreateLogger(EndpointLog.Category), ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        // Before the publish, and from the seq read before the room was made, so both users' live
        // sessions get its first message however the announcement and the append race.
        foreach (string member in added)
        {
            await announcer.AnnounceAsync(RoomMemberEvents.MemberAdded(roomId, member, afterSeq), cancellationToken);
        }

        var publish = new PublishRequest { Content = body.Content, SubId = roomId, MessageId = body.MessageId };
        (PublishResponse? accepted, ProblemHttpResult? refused) = await acceptor.AcceptAsync(sender, publish, cancellationToken);
        return refused is not null
            ? refused
            : TypedResults.Json(
                new DirectMessageResponse(true, accepted!.MessageId, accepted.QueueName, roomId),
                ContractsJsonContext.Default.DirectMessageResponse,
                statusCode: StatusCodes.Status202Accepted);
    }
}
