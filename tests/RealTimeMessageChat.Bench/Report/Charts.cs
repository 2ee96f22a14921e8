using ScottPlot;

namespace RealTimeMessageChat.Bench.Report;

/// <summary>The run's SVG charts, drawn with ScottPlot (headless, through SkiaSharp). Both value axes are logarithmic.</summary>
internal static class Charts
{
    private static readonly (string Prefix, string Label)[] Systems = [("c", "C limit"), ("redis", "Redis pub/sub"), ("ours", "ours")];

    /// <summary>Deliveries/s of the flat-out runs, grouped by N and size, one bar per system.</summary>
    public static void DeliveriesPerN(IReadOnlyDictionary<string, Measurement> measurements, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        (int N, int Size)[] groups = [(1_000, 128), (1_000, 1024), (10_000, 128), (10_000, 1024)];
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int g = 0; g < groups.Length; g++)
        {
            var (n, size) = groups[g];
            ticks.AddMajor(g * 4 + 1, $"N={n:N0}\n{(size == 128 ? "128 B" : "1 KiB")}");
            for (int s = 0; s < Systems.Length; s++)
            {
                if (Lookup(measurements, $"{Systems[s].Prefix}.max.n{n}.s{size}", "deliveries_per_s") is not double rate || rate <= 0)
                {
                    continue;
                }

                plot.Add.Bar(new Bar
                {
                    Position = g * 4 + s,
                    Value = Math.Log10(rate),
                    ValueBase = 4,
                    FillColor = palette.GetColor(s),
                    Label = Format.Rate(rate),
                });
            }
        }

        for (int s = 0; s < Systems.Length; s++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = Systems[s].Label, FillColor = palette.GetColor(s) });
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Left.TickGenerator = LogTicks(4, 8, v => Format.Rate(v));
        plot.Axes.SetLimitsY(4, 8);
        plot.Title("Deliveries per second, flat out (log scale)");
        plot.YLabel("deliveries/s");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SaveSvg(path, 900, 520);
    }

    /// <summary>Latency percentiles of every paced or POST scenario, and of the paced references.</summary>
    public static void LatencyPercentiles(IReadOnlyDictionary<string, Measurement> measurements, string path)
    {
        string[] keys = ["lat_p50_ms", "lat_p90_ms", "lat_p99_ms", "lat_p999_ms", "lat_max_ms"];
        string[] labels = ["p50", "p90", "p99", "p99.9", "max"];
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        int color = 0;
        double lowest = double.MaxValue, highest = double.MinValue;
        foreach (Measurement m in measurements.Values.Where(m => m.Skipped is null && (m.Id.Contains(".paced.", StringComparison.Ordinal) || m.Id.StartsWith("ours.post.", StringComparison.Ordinal))).OrderBy(m => m.Id, StringComparer.Ordinal))
        {
            double[] values = [.. keys.Select(k => m.Get(k) ?? 0)];
            if (values.Any(v => v <= 0))
            {
                continue;
            }

            double[] logs = [.. values.Select(Math.Log10)];
            lowest = Math.Min(lowest, logs.Min());
            highest = Math.Max(highest, logs.Max());
            var line = plot.Add.Scatter(Enumerable.Range(0, keys.Length).Select(i => (double)i).ToArray(), logs);
            line.LegendText = m.Id;
            line.Color = palette.GetColor(color++);
            // SkiaSharp's SVG canvas draws no dash patterns: references are thin lines with larger markers.
            bool ours = m.Id.StartsWith("ours.", StringComparison.Ordinal);
            line.LineWidth = ours ? 2.5f : 1;
            line.MarkerSize = ours ? 5 : 9;
        }

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < labels.Length; i++)
        {
            ticks.AddMajor(i, labels[i]);
        }

        int low = lowest == double.MaxValue ? -1 : (int)Math.Floor(lowest), high = highest == double.MinValue ? 3 : (int)Math.Ceiling(highest);
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Left.TickGenerator = LogTicks(low, high, v => Format.Ms(v) + " ms");
        plot.Axes.SetLimitsY(low, high);
        plot.Title("Latency percentiles (log scale; thick: ours, thin: references)");
        plot.YLabel("latency");
        plot.ShowLegend(Edge.Right);
        plot.SaveSvg(path, 1100, 560);
    }

    private static ScottPlot.TickGenerators.NumericManual LogTicks(int low, int high, Func<double, string> label)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int decade = low; decade <= high; decade++)
        {
            ticks.AddMajor(decade, label(Math.Pow(10, decade)));
            for (int k = 2; k < 10 && decade < high; k++)
            {
                ticks.AddMinor(decade + Math.Log10(k));
            }
        }

        return ticks;
    }

    private static double? Lookup(IReadOnlyDictionary<string, Measurement> measurements, string id, string key) =>
        measurements.TryGetValue(id, out Measurement? m) ? m.Get(key) : null;
}
