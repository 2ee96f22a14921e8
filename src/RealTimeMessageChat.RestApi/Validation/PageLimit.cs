using System.Globalization;
using RealTimeMessageChat.Contracts.Validation;

namespace RealTimeMessageChat.RestApi.Validation;

/// <summary>
/// A list endpoint's <c>limit</c> query value, read from text so that "abc", "1.5" or "-3" are the
/// same named validation problem as 0 or a value over the maximum (not a bare 400 from binding).
/// </summary>
internal static class PageLimit
{
    /// <summary>False when <paramref name="text"/> is given and is not a whole number from 1 to <paramref name="max"/>; absent gives <paramref name="defaultLimit"/>.</summary>
    public static bool TryParse(string? text, int defaultLimit, int max, out int limit)
    {
        if (string.IsNullOrEmpty(text))
        {
            limit = defaultLimit;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max;
    }

    /// <summary>
    /// The query of a list paged by id (<c>after</c>: the last id of the previous page, of the user id
    /// pattern; <c>limit</c>): the problems by field, or null with <paramref name="limit"/> read.
    /// </summary>
    /// <remarks><paramref name="afterProblem"/> is the text for a bad <c>after</c> (<see cref="RequestValidator.RoomIdProblem"/>, ...).</remarks>
    public static Dictionary<string, string[]>? ValidateAfterPage(string? after, string? text, int defaultLimit, int max, string afterProblem, out int limit)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!TryParse(text, defaultLimit, max, out limit))
        {
            errors["limit"] = [$"must be 1 to {max}."];
        }

        if (!string.IsNullOrEmpty(after) && !MessageRules.IsValidUserId(after))
        {
            errors["after"] = [afterProblem];
        }

        return errors.Count > 0 ? errors : null;
    }
}
