using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.RestApi.History;
using RealTimeMessageChat.RestApi.Rooms;
using RealTimeMessageChat.RestApi.Problems;
using RealTimeMessageChat.RestApi.OpenApi;

namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary>
/// <c>GET /api/v1/messages?sub_id=&amp;after_seq=&amp;before_seq=&amp;limit=</c>: messages of a room,
/// ascending by seq, from Redis while it retains them and PostgreSQL beyond, with the cursors of
/// the next page forward (<c>next_after_seq</c>) and backward (<c>next_before_seq</c>). A room other
/// than <c>""</c> only for its members (403; 404 when there is no such room).
/// </summary>
internal static class MessageHistoryEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    private static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEndpointRouteBuilder MapMessageHistoryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/messages", ReadAsync).RequireAuthorization().RequireRateLimiting(MessageEndpoints.RateLimitPolicy).WithName("ReadMessages")
            .WithSummary("Stored messages of a room, ascending by seq")
            .Produces<HistoryPage>(StatusCodes.Status200OK)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    // Query values arrive as strings so a bad one is a validation problem naming it, not a bare 400.
    internal static async Task<Results<JsonHttpResult<HistoryPage>, ProblemHttpResult>> ReadAsync(
        [FromQuery(Name = "sub_id")] string? subId,
        [FromQuery(Name = "after_seq")] string? afterSeq,
        [FromQuery(Name = "before_seq")] string? beforeSeq,
        [FromQuery(Name = "limit")] string? limit,
        ClaimsPrincipal user,
        IMessageHistory history,
        IRoomMembership membership,
        IRoomRepository rooms,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        long? after = ParseOptional(afterSeq, "after_seq", 0, errors);
        long? before = ParseOptional(beforeSeq, "before_seq", 1, errors);
        long? pageSize = ParseOptional(limit, "limit", 1, errors);
        if (pageSize > MaxLimit)
        {
            errors["limit"] = [$"must be 1 to {MaxLimit}."];
        }

        if (subId is not null && Contracts.Validation.MessageRules.SubIdError(subId) is { } subIdError)
        {
            errors["sub_id"] = [subIdError + "."];
        }
        else if (subId is { Length: > 0 } && !Contracts.Validation.MessageRules.IsValidUserId(subId))
        {
            errors["sub_id"] = [Validation.RequestValidator.SubIdProblem];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        string room = subId ?? string.Empty;
        IReadOnlyList<HistoryMessage> messages;
        try
        {
            // A room's history is for its members only; the global room is everyone's.
            if (!await membership.IsMemberAsync(room, RoomViews.Caller(user), cancellationToken))
            {
                return await rooms.FindAsync(room, cancellationToken) is null
                    ? ApiProblems.RoomNotFound(room, "sub_id")
                    : ApiProblems.NotRoomMember(room, "sub_id");
            }

            messages = await history.ReadAsync(room, after, before, (int)(pageSize ?? DefaultLimit), cancellationToken);
        }
        catch (DbException ex)
        {
            EndpointLog.DatabaseFailed(loggerFactory.CreateLogger(EndpointLog.Category), ex.GetType().Name, ex.Message);
            return ApiProblems.DatabaseUnavailable();
        }

        return TypedResults.Json(HistoryPage.Of(messages), SnakeCase);
    }

    private static long? ParseOptional(string? text, string field, long minimum, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < minimum)
        {
            errors[field] = [$"must be an integer of at least {minimum}."];
            return null;
        }

        return value;
    }
}
