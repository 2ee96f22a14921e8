using System.Text.RegularExpressions;

namespace RealTimeMessageChat.Contracts.Validation;

/// <summary>
/// CONTRACT.md's field rules, written once. The RestApi applies them before it answers 202 and the
/// consumer applies them again to what it takes off the queue, so whatever the API accepts the
/// consumer accepts too. Each check returns null when the value is valid, else the reason without
/// the field name (each caller names the field the way its input spells it).
/// </summary>
public static partial class MessageRules
{
    /// <summary>The user id pattern (also room ids): 1 to 64 of A-Z, a-z, 0-9, '_' or '-'.</summary>
    public const string UserIdPattern = "^[A-Za-z0-9_-]{1,64}$";

    public const string UserIdDescription = "1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'";

    /// <summary>Default <c>max_content_bytes</c>: the largest <c>content</c>, in UTF-8 bytes.</summary>
    public const int DefaultMaxContentBytes = 4096;

    /// <summary>Default longest <c>sub_id</c>, in characters.</summary>
    public const int DefaultMaxSubIdLength = 64;

    /// <summary>Longest <c>command</c>, in characters.</summary>
    public const int MaxCommandLength = 64;

    public static bool IsValidUserId(string? userId) => userId is not null && UserIdRegex().IsMatch(userId);

    /// <summary>
    /// Content must be non-empty and free of U+0000 (PostgreSQL <c>text</c> cannot hold it, and a row
    /// the persister can never write would stop the room's persistence). Its size is a separate
    /// check, since the API answers it with 413.
    /// </summary>
    public static string? ContentError(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length == 0)
        {
            return "is empty";
        }

        return content.Contains('\0', StringComparison.Ordinal) ? "contains U+0000" : null;
    }

    public static string? SubIdError(string subId, int maxLength = DefaultMaxSubIdLength)
    {
        ArgumentNullException.ThrowIfNull(subId);
        if (subId.Length > maxLength)
        {
            return $"is longer than {maxLength} characters";
        }

        return subId.Any(char.IsControl) ? "contains control characters" : null;
    }

    public static string? CommandError(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Length is 0 or > MaxCommandLength || command.Any(char.IsControl)
            ? $"must be 1 to {MaxCommandLength} printable characters"
            : null;
    }

    /// <summary>The raw JSON text of a metadata object: U+0000 can hide only as the escape <c>\u0000</c>.</summary>
    public static string? MetadataError(string rawJson)
    {
        ArgumentNullException.ThrowIfNull(rawJson);
        return rawJson.Contains("\\u0000", StringComparison.OrdinalIgnoreCase) ? "contains U+0000" : null;
    }

    // \z rather than $: '$' also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdRegex();
}
