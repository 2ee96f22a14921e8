namespace RealTimeMessageChat.Bench.Report;

/// <summary>One row of the table with this run's figures.</summary>
internal sealed record TableRow(
    string Scenario,
    string C,
    string Redis,
    string Ours,
    string Ratio,
    string Must,
    bool? MustMet,
    string Stretch,
    bool? StretchMet,
    string Delivery)
{
    public IReadOnlyList<string> Cells() =>
        [Scenario, C, Redis, Ours, Ratio, $"{Must}: {Format.Verdict(MustMet)}", $"{Stretch}: {Format.Verdict(StretchMet)}", Delivery];

    public static readonly IReadOnlyList<string> Header =
        ["scenario", "C limit", "Redis pub/sub", "ours", "ratio", "must", "stretch", "delivery check"];
}
