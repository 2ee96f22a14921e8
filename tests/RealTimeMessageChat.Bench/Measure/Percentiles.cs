using HdrHistogram;

namespace RealTimeMessageChat.Bench.Measure;

/// <summary>A latency distribution in milliseconds; <see cref="Count"/> 0 means nothing was recorded.</summary>
internal sealed record Percentiles(long Count, double P50, double P90, double P99, double P999, double Max)
{
    public static readonly Percentiles Empty = new(0, 0, 0, 0, 0, 0);

    public static Percentiles From(LongHistogram histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return Empty;
        }

        return new Percentiles(
            histogram.TotalCount,
            Ms(histogram.GetValueAtPercentile(50)),
            Ms(histogram.GetValueAtPercentile(90)),
            Ms(histogram.GetValueAtPercentile(99)),
            Ms(histogram.GetValueAtPercentile(99.9)),
            Ms(histogram.GetMaxValue()));
    }

    public Dictionary<string, double> ToValues(string prefix = "lat") => new()
    {
        [$"{prefix}_count"] = Count,
        [$"{prefix}_p50_ms"] = P50,
        [$"{prefix}_p90_ms"] = P90,
        [$"{prefix}_p99_ms"] = P99,
        [$"{prefix}_p999_ms"] = P999,
        [$"{prefix}_max_ms"] = Max,
    };

    private static double Ms(long micros) => micros / 1000.0;
}
