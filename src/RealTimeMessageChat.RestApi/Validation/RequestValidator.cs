using System.Text.Json;
using System.Text.RegularExpressions;
using RealTimeMessageChat.Contracts.Http;

namespace RealTimeMessageChat.RestApi.Validation;

/// <summary>The field rules of CONTRACT.md's HTTP table. Each method returns the errors by field name, empty when valid.</summary>
internal static partial class RequestValidator
{
    public const int MaxPasswordLength = 128;
    public const int MinPasswordLength = 8;
    public const int MaxUsernameLength = 128;
    public const int MaxSubIdLength = 64;
    public const int MaxCommandLength = 64;

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

        if (request.SubId is { Length: > MaxSubIdLength })
        {
            errors["sub_id"] = [$"must be at most {MaxSubIdLength} characters."];
        }

        if (request.Command is { Length: > MaxCommandLength })
        {
            errors["command"] = [$"must be at most {MaxCommandLength} characters."];
        }

        if (request.Priority is { } priority && priority is < 1 or > 3)
        {
            errors["priority"] = ["must be 1, 2 or 3."];
        }

        if (request.Metadata is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            errors["metadata"] = ["must be a JSON object."];
        }

        if (request.MessageId == Guid.Empty)
        {
            errors["message_id"] = ["must not be the empty UUID."];
        }

        return errors;
    }

    private static void ValidateUserId(string? userId, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(userId))
        {
            errors["user_id"] = ["is required."];
        }
        else if (!UserIdPattern().IsMatch(userId))
        {
            errors["user_id"] = ["must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'."];
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdPattern();
}
