namespace RealTimeMessageChat.RestApi.Endpoints;

/// <summary>
/// The endpoints' log messages. None takes a password, a token or a request body: user ids and
/// message ids only.
/// </summary>
internal static partial class EndpointLog
{
    public const string Category = "RealTimeMessageChat.RestApi.Endpoints";

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Registered user {UserId}")]
    public static partial void UserRegistered(ILogger logger, string userId);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Registration refused: user {UserId} exists")]
    public static partial void UserExists(ILogger logger, string userId);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "User {UserId} logged in; session {TokenId}")]
    public static partial void LoggedIn(ILogger logger, string userId, string tokenId);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Login refused for {UserId}: {Reason}")]
    public static partial void LoginRefused(ILogger logger, string userId, string reason);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Login throttled for {UserId} from {Address}: the {LimitedBy}'s failed attempts this minute are used up")]
    public static partial void LoginThrottled(ILogger logger, string userId, string address, string limitedBy);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Password hash of {UserId} upgraded to {Iterations} iterations")]
    public static partial void PasswordRehashed(ILogger logger, string userId, int iterations);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Debug, Message = "Message {MessageId} from {UserId} confirmed on {QueueName}")]
    public static partial void MessageAccepted(ILogger logger, Guid messageId, string userId, string queueName);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "Message {MessageId} from {UserId} not accepted: {ErrorType}: {Reason}")]
    public static partial void PublishFailed(ILogger logger, Guid messageId, string userId, string errorType, string reason);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Message from {UserId} refused: {Reason}")]
    public static partial void PublishRefused(ILogger logger, string userId, string reason);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "The account store failed: {ErrorType}: {Reason}")]
    public static partial void DatabaseFailed(ILogger logger, string errorType, string reason);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "The session store failed: {Reason}")]
    public static partial void SessionStoreFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Information, Message = "Session {TokenId} of {UserId} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string userId, string tokenId, string reason);

    [LoggerMessage(EventId = 1050, Level = LogLevel.Information, Message = "Admin {ActorId}: {Action} {TargetId}")]
    public static partial void ModerationApplied(ILogger logger, string actorId, string action, string targetId);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Warning, Message = "Admin {ActorId}: {Action} {TargetId} was stored, but announcing it failed: {Reason}")]
    public static partial void ModerationAnnounceFailed(ILogger logger, string actorId, string action, string targetId, string reason);
}
