using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace RealTimeMessageChat.RestApi.Problems;

/// <summary>The problems handlers answer, each with its stable type and title (see <see cref="ProblemTypes"/>).</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Type = ProblemTypes.Validation,
            Title = "Validation failed",
            Detail = "One or more fields are invalid; see errors.",
        });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static ProblemHttpResult MalformedJson(string detail) =>
        Create(StatusCodes.Status400BadRequest, ProblemTypes.MalformedJson, "Malformed JSON", detail);

    public static ProblemHttpResult InvalidCredentials() =>
        Create(StatusCodes.Status401Unauthorized, ProblemTypes.InvalidCredentials, "Invalid credentials", "The user id or the password is wrong.");

    public static ProblemHttpResult Unauthorized(string detail) =>
        Create(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized, "Unauthorized", detail);

    public static ProblemHttpResult UserBanned() =>
        Create(StatusCodes.Status403Forbidden, ProblemTypes.UserBanned, "User banned", "This account is banned.");

    public static ProblemHttpResult ChatBanned() =>
        Create(StatusCodes.Status403Forbidden, ProblemTypes.ChatBanned, "Chat banned", "This account may not send messages.");

    public static ProblemHttpResult SenderMismatch() =>
        Create(StatusCodes.Status403Forbidden, ProblemTypes.SenderMismatch, "Sender mismatch", "The body's user_id/id differs from the token's subject.");

    public static ProblemHttpResult UserExists(string userId) =>
        Create(StatusCodes.Status409Conflict, ProblemTypes.UserExists, "User exists", $"The user id '{userId}' is taken.");

    public static ProblemHttpResult PayloadTooLarge(string detail) =>
        Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge, "Payload too large", detail);

    public static ProblemHttpResult UnsupportedMediaType() =>
        Create(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.");

    public static ProblemHttpResult TooManyLoginAttempts(TimeSpan retryAfter) =>
        Create(StatusCodes.Status429TooManyRequests, ProblemTypes.RateLimited, "Too many requests", $"Too many failed login attempts; retry after {(int)retryAfter.TotalSeconds} s.");

    public static ProblemHttpResult BrokerUnavailable() =>
        Create(StatusCodes.Status503ServiceUnavailable, ProblemTypes.BrokerUnavailable, "Broker unavailable", "The message broker did not confirm the message; it was not accepted. Retry with the same message_id.");

    public static ProblemHttpResult DatabaseUnavailable() =>
        Create(StatusCodes.Status503ServiceUnavailable, ProblemTypes.DatabaseUnavailable, "Database unavailable", "The account store is not reachable; retry later.");

    public static ProblemHttpResult SessionStoreUnavailable() =>
        Create(StatusCodes.Status503ServiceUnavailable, ProblemTypes.SessionStoreUnavailable, "Session store unavailable", "The login sessions (Redis) are not reachable; retry later.");

    public static ProblemHttpResult AdminRequired() =>
        Create(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden", "This needs an admin account.");

    public static ProblemHttpResult NotFound(string detail) =>
        Create(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found", detail);

    /// <summary>The room <paramref name="room"/> does not exist; <paramref name="field"/> names where the request said it.</summary>
    public static ProblemHttpResult RoomNotFound(string room, string field) =>
        Create(StatusCodes.Status404NotFound, ProblemTypes.RoomNotFound, "Room not found", $"There is no room '{room}'.", field);

    /// <summary>The caller is not a member of <paramref name="room"/> (publish, history, reads).</summary>
    public static ProblemHttpResult NotRoomMember(string room, string field) =>
        Create(StatusCodes.Status403Forbidden, ProblemTypes.NotRoomMember, "Not a member", $"You are not a member of room '{room}'.", field);

    public static ProblemHttpResult RoomExists(string room) =>
        Create(StatusCodes.Status409Conflict, ProblemTypes.RoomExists, "Room exists", $"The room id '{room}' is taken.", "room_id");

    /// <summary>A membership change the caller may not make (not the owner nor an admin, a DM's fixed members).</summary>
    public static ProblemHttpResult RoomForbidden(string detail, string field) =>
        Create(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden", detail, field);

    /// <summary>No such user (or not a member of the room), named by <paramref name="field"/>.</summary>
    public static ProblemHttpResult NotFound(string detail, string field) =>
        Create(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found", detail, field);

    public static ProblemHttpResult BadRequest(int status, string detail)
    {
        (string type, string title) = ProblemTypes.ForStatus(status);
        return Create(status, type, title, detail);
    }

    private static ProblemHttpResult Create(int status, string type, string title, string detail) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail });

    // "field": the request field (body, route or query) the problem is about, for the room endpoints.
    private static ProblemHttpResult Create(int status, string type, string title, string detail, string field)
    {
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };
        problem.Extensions["field"] = field;
        return TypedResults.Problem(problem);
    }
}
