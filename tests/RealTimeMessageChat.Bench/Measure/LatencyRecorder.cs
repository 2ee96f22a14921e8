using System.Diagnostics;
using HdrHistogram;

namespace RealTimeMessageChat.Bench.Measure;

/// <summary>
/// Latencies in microseconds, recorded without locks: each thread has its own HdrHistogram, merged
/// by <see cref="Summarize"/> once the run is quiet. Values are clamped to an hour.
/// </summary>
internal sealed class LatencyRecorder : IDisposable
{
    private const long HighestMicros = 3_600_000_000;

    private readonly ThreadLocal<LongHistogram> _local = new(() => new LongHistogram(HighestMicros, 3), trackAllValues: true);

    private static readonly double TicksPerMicro = Stopwatch.Frequency / 1_000_000.0;

    public void RecordMicros(long micros) => _local.Value!.RecordValue(Math.Clamp(micros, 0, HighestMicros));

    /// <summary>Records <c>now - stamp</c>, both in <see cref="Stopwatch"/> ticks.</summary>
    public void RecordSince(long stamp, long now) => RecordMicros((long)((now - stamp) / TicksPerMicro));

    public LongHistogram Merge()
    {
        var merged = new LongHistogram(HighestMicros, 3);
        foreach (LongHistogram histogram in _local.Values)
        {
            merged.Add(histogram);
        }

        return merged;
    }

    public Percentiles Summarize() => Percentiles.From(Merge());

    public void Dispose() => _local.Dispose();
}
