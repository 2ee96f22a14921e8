using Microsoft.Extensions.Logging;

namespace RealTimeMessageChat.UserClient.Api;

internal sealed partial class ChatApiClient
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Registered user {UserId}")]
    private static partial void LogRegistered(ILogger logger, string userId);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "User {UserId} already exists; logging in")]
    private static partial void LogAlreadyRegistered(ILogger logger, string userId);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Logged in as {UserId}; token expires at {ExpiresAt}")]
    private static partial void LogLoggedIn(ILogger logger, string userId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "Published message {MessageId}")]
    private static partial void LogPublished(ILogger logger, Guid messageId);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Publishing message {MessageId} failed on attempt {Attempt} ({Reason}); retrying")]
    private static partial void LogPublishRetry(ILogger logger, Guid messageId, int attempt, string reason);
}
