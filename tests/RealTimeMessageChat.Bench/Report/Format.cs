using System.Globalization;

namespace RealTimeMessageChat.Bench.Report;

/// <summary>How the report writes numbers: rates with k/M, milliseconds with sensible precision, ratios as "0.61×".</summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1e6 => (perSecond / 1e6).ToString(perSecond >= 1e7 ? "F1" : "F2", Invariant) + " M",
        >= 1e3 => (perSecond / 1e3).ToString(perSecond >= 1e5 ? "F0" : "F1", Invariant) + " k",
        _ => perSecond.ToString("F0", Invariant),
    };

    public static string Ms(double ms) => ms switch
    {
        >= 100 => ms.ToString("F0", Invariant),
        >= 10 => ms.ToString("F1", Invariant),
        _ => ms.ToString("F2", Invariant),
    };

    public static string MsPair(double p50, double p99) => $"{Ms(p50)} / {Ms(p99)} ms";

    public static string Ratio(double ratio) => ratio switch
    {
        >= 10 => ratio.ToString("F0", Invariant) + "×",
        >= 0.1 => ratio.ToString("F2", Invariant) + "×",
        _ => ratio.ToString("F3", Invariant) + "×",
    };

    /// <summary>A ratio of two measured values, or "—" when either is missing or the divisor is zero.</summary>
    public static string Ratio(double? numerator, double? denominator) =>
        numerator is double n && denominator is double d && d > 0 ? Ratio(n / d) : "—";

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1024 * 1024 => (bytes / 1048576).ToString("F1", Invariant) + " MiB",
        >= 1024 => (bytes / 1024).ToString("F1", Invariant) + " KiB",
        _ => bytes.ToString("F0", Invariant) + " B",
    };

    public static string Seconds(double seconds) => seconds.ToString(seconds >= 10 ? "F1" : "F2", Invariant) + " s";

    public static string Percent(double fraction) => (fraction * 100).ToString(fraction >= 0.995 && fraction < 1 ? "F2" : "F1", Invariant) + " %";

    /// <summary>Signed change, "+12 %" / "-3 %".</summary>
    public static string Change(double fraction) => (fraction >= 0 ? "+" : string.Empty) + (fraction * 100).ToString("F0", Invariant) + " %";

    public static string Verdict(bool? met) => met switch
    {
        true => "met",
        false => "MISSED",
        null => "n/a",
    };

    /// <summary>Pads cells to their column width: a Markdown table that also reads in a terminal.</summary>
    public static IEnumerable<string> Table(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        int[] widths = [.. header.Select(_ => 3)];
        foreach (IReadOnlyList<string> row in rows.Prepend(header))
        {
            for (int i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], i < row.Count ? row[i].Length : 0);
            }
        }

        string Line(IReadOnlyList<string> cells) =>
            "| " + string.Join(" | ", widths.Select((w, i) => (i < cells.Count ? cells[i] : string.Empty).PadRight(w))) + " |";

        yield return Line(header);
        yield return "| " + string.Join(" | ", widths.Select(w => new string('-', w))) + " |";
        foreach (IReadOnlyList<string> row in rows)
        {
            yield return Line(row);
        }
    }
}
