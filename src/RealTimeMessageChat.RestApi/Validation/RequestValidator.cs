using System.Text.Json;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Contracts.Rooms;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Rooms;

namespace RealTimeMessageChat.RestApi.Validation;

/// <summary>
/// The field rules of CONTRACT.md's HTTP table. Each method returns the errors by field name,
/// empty when valid. The message fields use <see cref="MessageRules"/>, the consumer's own rules,
/// so a 202 is never given for a message the consumer would dead-letter.
/// </summary>
internal static class RequestValidator
{
    /// <summary>The problem text for a route, query or body field that must be a room id.</summary>
    public const string RoomIdProblem = $"must be a room id: {MessageRules.UserIdDescription}.";

    /// <summary>The problem text for a field that must be a user id.</summary>
    public const string UserIdProblem = $"must be a user id: {MessageRules.UserIdDescription}.";

    /// <summary>The problem text for a <c>sub_id</c> that is neither the global room nor a room id.</summary>
    public const string SubIdProblem = $"must be \"\" (the global room) or a room id: {MessageRules.UserIdDescription}.";

    public const int MaxPasswordLength = 128;
    public const int MinPasswordLength = 8;
    public const int MaxUsernameLength = 128;
    public const int MaxRoomNameLength = 100;

    public static Dictionary<string, string[]> ValidateRegistration(RegisterRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        ValidateUserId(request.UserId, errors);
        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["is required."];
        }
        else if (request.Password.Length is < MinPasswordLength or > MaxPasswordLength)
        {
            errors["password"] = [$"must be {MinPasswordLength} to {MaxPasswordLength} characters."];
        }

        if (request.Username is { Length: > MaxUsernameLength })
        {
            errors["username"] = [$"must be at most {MaxUsernameLength} characters."];
        }

        return errors;
    }

    public static Dictionary<string, string[]> ValidateLogin(LoginRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(request.UserId))
        {
            errors["user_id"] = ["is required."];
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["is required."];
        }

        return errors;
    }

    /// <summary>Everything but the content's size, which is a 413 of its own.</summary>
    public static Dictionary<string, string[]> ValidatePublish(PublishRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(request.Content))
        {
            errors["content"] = ["is required and must be a non-empty string."];
        }
        else if (MessageRules.ContentError(request.Content) is { } contentError)
        {
            errors["content"] = [contentError + "."];
        }

        if (request.SubId is { } subId && MessageRules.SubIdError(subId) is { } subIdError)
        {
            errors["sub_id"] = [subIdError + "."];
        }
        else if (request.SubId is { Length: > 0 } room && !MessageRules.IsValidUserId(room))
        {
            // No room can have such an id, so this is the request's error rather than a 404.
            errors["sub_id"] = [SubIdProblem];
        }

        if (request.Command is { } command && MessageRules.CommandError(command) is { } commandError)
        {
            errors["command"] = [commandError + "."];
        }

        if (request.Priority is { } priority && MessageRules.PriorityError(priority) is { } priorityError)
        {
            errors["priority"] = [priorityError + "."];
        }

        if (request.Metadata is { ValueKind: not JsonValueKind.Null } metadata && MessageRules.MetadataError(metadata) is { } metadataError)
        {
            errors["metadata"] = [metadataError + "."];
        }

        if (request.MessageId is { } messageId && MessageRules.MessageIdError(messageId) is { } messageIdError)
        {
            errors["message_id"] = [messageIdError + "."];
        }

        return errors;
    }

    /// <summary><c>POST /api/v1/rooms</c>: an optional id outside the reserved <c>dm-</c> space, a name, public or private.</summary>
    public static Dictionary<string, string[]> ValidateCreateRoom(CreateRoomRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.RoomId is { } roomId)
        {
            if (!MessageRules.IsValidUserId(roomId))
            {
                errors["room_id"] = [$"must be {MessageRules.UserIdDescription}."];
            }
            else if (DirectRoomId.IsReserved(roomId))
            {
                errors["room_id"] = [$"must not start with '{DirectRoomId.Prefix}' (reserved for direct messages)."];
            }
        }

        if (string.IsNullOrWhiteSpace(request.Name))
        {
            errors["name"] = ["is required."];
        }
        else if (request.Name.Length > MaxRoomNameLength || MessageRules.SubIdError(request.Name, MaxRoomNameLength) is not null)
        {
            errors["name"] = [$"must be 1 to {MaxRoomNameLength} characters without control characters."];
        }

        if (request.Visibility is not (RoomVisibility.Public or RoomVisibility.Private))
        {
            errors["visibility"] = ["must be 'public' or 'private'."];
        }

        return errors;
    }

    /// <summary><c>POST /api/v1/rooms/{room}/members</c>: the optional user to add.</summary>
    public static Dictionary<string, string[]> ValidateAddMember(AddMemberRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.UserId is not null)
        {
            ValidateUserId(request.UserId, errors);
        }

        return errors;
    }

    /// <summary><c>POST /api/v1/messages/direct</c>: the recipient, the content (its size is a 413 of its own), the optional message id.</summary>
    public static Dictionary<string, string[]> ValidateDirect(DirectMessageRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(request.To))
        {
            errors["to"] = ["is required."];
        }
        else if (!MessageRules.IsValidUserId(request.To))
        {
            errors["to"] = [UserIdProblem];
        }

        if (string.IsNullOrEmpty(request.Content))
        {
            errors["content"] = ["is required and must be a non-empty string."];
        }
        else if (MessageRules.ContentError(request.Content) is { } contentError)
        {
            errors["content"] = [contentError + "."];
        }

        if (request.MessageId is { } messageId && MessageRules.MessageIdError(messageId) is { } messageIdError)
        {
            errors["message_id"] = [messageIdError + "."];
        }

        return errors;
    }

    private static void ValidateUserId(string? userId, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(userId))
        {
            errors["user_id"] = ["is required."];
        }
        else if (!MessageRules.IsValidUserId(userId))
        {
            errors["user_id"] = [$"must be {MessageRules.UserIdDescription}."];
        }
    }
}
