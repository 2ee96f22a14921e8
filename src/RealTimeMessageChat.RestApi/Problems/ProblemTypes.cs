using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace RealTimeMessageChat.RestApi.Problems;

/// <summary>
/// The stable <c>type</c> URIs and titles of every problem this API answers (RFC 9457). Clients may
/// switch on <c>type</c>; titles are for people and do not change with the occurrence.
/// </summary>
internal static class ProblemTypes
{
    private const string Base = "https://realtimemessagechat/problems/";

    public const string Validation = Base + "validation";
    public const string MalformedJson = Base + "malformed-json";
    public const string Unauthorized = Base + "unauthorized";
    public const string InvalidCredentials = Base + "invalid-credentials";
    public const string Forbidden = Base + "forbidden";
    public const string UserBanned = Base + "user-banned";
    public const string ChatBanned = Base + "chat-banned";
    public const string SenderMismatch = Base + "sender-mismatch";
    public const string NotFound = Base + "not-found";
    public const string MethodNotAllowed = Base + "method-not-allowed";
    public const string UserExists = Base + "user-exists";
    public const string RoomExists = Base + "room-exists";
    public const string RoomNotFound = Base + "room-not-found";
    public const string NotRoomMember = Base + "not-a-member";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string UnsupportedMediaType = Base + "unsupported-media-type";
    public const string RateLimited = Base + "rate-limited";
    public const string BrokerUnavailable = Base + "broker-unavailable";
    public const string DatabaseUnavailable = Base + "database-unavailable";
    public const string PresenceUnavailable = Base + "presence-unavailable";
    public const string SessionStoreUnavailable = Base + "session-store-unavailable";
    public const string Internal = Base + "internal";
    public const string HttpError = Base + "http-error";

    /// <summary>The type and title for a bare status code (framework answers: 404, 405, 401 challenges, 429, 500).</summary>
    public static (string Type, string Title) ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => (Validation, "Bad request"),
        StatusCodes.Status401Unauthorized => (Unauthorized, "Unauthorized"),
        StatusCodes.Status403Forbidden => (Forbidden, "Forbidden"),
        StatusCodes.Status404NotFound => (NotFound, "Not found"),
        StatusCodes.Status405MethodNotAllowed => (MethodNotAllowed, "Method not allowed"),
        StatusCodes.Status409Conflict => (UserExists, "Conflict"),
        StatusCodes.Status413PayloadTooLarge => (PayloadTooLarge, "Payload too large"),
        StatusCodes.Status415UnsupportedMediaType => (UnsupportedMediaType, "Unsupported media type"),
        StatusCodes.Status429TooManyRequests => (RateLimited, "Too many requests"),
        StatusCodes.Status500InternalServerError => (Internal, "Internal server error"),
        StatusCodes.Status503ServiceUnavailable => (BrokerUnavailable, "Service unavailable"),
        _ => (HttpError, ReasonPhrases.GetReasonPhrase(status)),
    };

    /// <summary>Fills a framework-made problem (whose type is empty or an RFC link) with ours.</summary>
    public static void Apply(ProblemDetails problem)
    {
        if (problem.Status is not { } status
            || (problem.Type is { Length: > 0 } type && type.StartsWith(Base, StringComparison.Ordinal)))
        {
            return;
        }

        (problem.Type, string title) = ForStatus(status);
        if (string.IsNullOrEmpty(problem.Title) || problem.Title == ReasonPhrases.GetReasonPhrase(status) || problem.Title.StartsWith("One or more", StringComparison.Ordinal))
        {
            problem.Title = title;
        }
    }
}
