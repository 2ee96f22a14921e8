namespace RealTimeMessageChat.Bench.Report;

/// <summary>Everything one phase (or, merged, one run) measured.</summary>
internal sealed class BenchResults
{
    public string Phase { get; set; } = string.Empty;

    public bool Quick { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public double DurationSeconds { get; set; }

    public Dictionary<string, string> Environment { get; init; } = [];

    public List<Measurement> Measurements { get; init; } = [];
}
