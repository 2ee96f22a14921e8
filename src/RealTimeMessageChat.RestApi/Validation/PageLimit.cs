using System.Globalization;

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
}
