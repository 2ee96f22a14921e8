using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RealTimeMessageChat.Contracts.Validation;

/// <summary>
/// CONTRACT.md's field rules, written once. The RestApi applies them before it answers 202 and the
/// consumer applies them again to what it takes off the queue, so whatever the API accepts the
/// consumer accepts too (a property test in RestApi.Tests checks it over random Unicode). Each check
/// returns null when the value is valid, else the reason without the field name (each caller names
/// the field the way its input spells it).
/// </summary>
/// <remarks>
/// Beyond the contract's own limits, every rule keeps out what a later stage can never store:
/// PostgreSQL <c>text</c> and <c>jsonb</c> hold no U+0000, <c>jsonb</c> refuses an escaped lone
/// surrogate and a number outside <c>numeric</c>'s range, and a row the persister can never write
/// stops the persistence of its whole batch.
/// </remarks>
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

    /// <summary>Lowest <c>priority</c>.</summary>
    public const int MinPriority = 1;

    /// <summary>Highest <c>priority</c>.</summary>
    public const int MaxPriority = 3;

    /// <summary>The <c>priority</c> of a message that gives none.</summary>
    public const int DefaultPriority = 2;

    /// <summary>
    /// Deepest nesting of <c>metadata</c>, the metadata object itself being level 1. Far inside the
    /// JSON parsers' default of 64, which the queue body (two levels above the metadata) must also fit.
    /// </summary>
    public const int MaxMetadataDepth = 32;

    /// <summary>Longest number in <c>metadata</c>, in characters.</summary>
    public const int MaxMetadataNumberLength = 64;

    /// <summary>Largest exponent (either sign) of a number in <c>metadata</c>.</summary>
    public const int MaxMetadataNumberExponent = 308;

    public static bool IsValidUserId(string? userId) => userId is not null && UserIdRegex().IsMatch(userId);

    /// <summary>Content must be non-empty text without U+0000. Its size is <see cref="ContentSizeError"/>, since the API answers it with 413.</summary>
    public static string? ContentError(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length == 0)
        {
            return "is empty";
        }

        return TextError(content);
    }

    /// <summary>The content's size in UTF-8 bytes against <paramref name="maxBytes"/>.</summary>
    public static string? ContentSizeError(string content, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(content);
        int bytes = Encoding.UTF8.GetByteCount(content);
        return bytes > maxBytes ? $"is {bytes} bytes of UTF-8, over the limit of {maxBytes}" : null;
    }

    public static string? SubIdError(string subId, int maxLength = DefaultMaxSubIdLength)
    {
        ArgumentNullException.ThrowIfNull(subId);
        if (subId.Length > maxLength)
        {
            return $"is longer than {maxLength} characters";
        }

        if (subId.Any(char.IsControl))
        {
            return "contains control characters";
        }

        return HasLoneSurrogate(subId) ? "contains a lone surrogate" : null;
    }

    public static string? CommandError(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Length is 0 or > MaxCommandLength || command.Any(char.IsControl) || HasLoneSurrogate(command)
            ? $"must be 1 to {MaxCommandLength} printable characters"
            : null;
    }

    public static string? PriorityError(int priority) =>
        priority is < MinPriority or > MaxPriority ? $"must be {MinPriority}, 2 or {MaxPriority}" : null;

    /// <summary>The empty UUID is refused: as an idempotency key it would merge unrelated messages.</summary>
    public static string? MessageIdError(Guid messageId) => messageId == Guid.Empty ? "must not be the empty UUID" : null;

    /// <summary>
    /// Metadata must be a JSON object nested at most <see cref="MaxMetadataDepth"/> levels, whose
    /// names and strings are text without U+0000 and whose numbers PostgreSQL's <c>jsonb</c> can hold.
    /// </summary>
    public static string? MetadataError(JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            return "must be a JSON object";
        }

        try
        {
            return ValueError(metadata, 1);
        }
        catch (InvalidOperationException)
        {
            // Reading a name or string that escapes a lone surrogate ("\ud800") or holds invalid UTF-8.
            return "contains text that is not valid Unicode";
        }
    }

    private static string? ValueError(JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth > MaxMetadataDepth)
                {
                    return $"nests deeper than {MaxMetadataDepth} levels";
                }

                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if ((TextError(property.Name) ?? ValueError(property.Value, depth + 1)) is { } error)
                    {
                        return error;
                    }
                }

                return null;
            case JsonValueKind.Array:
                if (depth > MaxMetadataDepth)
                {
                    return $"nests deeper than {MaxMetadataDepth} levels";
                }

                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (ValueError(item, depth + 1) is { } error)
                    {
                        return error;
                    }
                }

                return null;
            case JsonValueKind.String:
                return TextError(element.GetString()!);
            case JsonValueKind.Number:
                return NumberError(element.GetRawText());
            default:
                return null;
        }
    }

    // PostgreSQL numeric keeps up to 131072 digits before the point and 16383 after; these bounds
    // stay far inside both (checked: '1e-16384'::jsonb and '1e131072'::jsonb are refused).
    private static string? NumberError(string number)
    {
        const string Reason = "holds a number longer than 64 characters or with an exponent beyond 308";
        if (number.Length > MaxMetadataNumberLength)
        {
            return Reason;
        }

        int e = number.AsSpan().IndexOfAny('e', 'E');
        if (e < 0)
        {
            return null;
        }

        return int.TryParse(number.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exponent)
               && Math.Abs(exponent) <= MaxMetadataNumberExponent
            ? null
            : Reason;
    }

    private static string? TextError(string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return "contains U+0000";
        }

        return HasLoneSurrogate(text) ? "contains a lone surrogate" : null;
    }

    /// <summary>True when a UTF-16 unit of a surrogate pair stands alone: no UTF-8 encodes it.</summary>
    private static bool HasLoneSurrogate(string text)
    {
        int i = text.AsSpan().IndexOfAnyInRange('\ud800', '\udfff');
        if (i < 0)
        {
            return false;
        }

        for (; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    // \z rather than $: '$' also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdRegex();
}
