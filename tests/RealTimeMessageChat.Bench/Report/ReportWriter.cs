using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RealTimeMessageChat.Bench.Report;

/// <summary>
/// Merges the phases' <c>phase-*.json</c> into <c>results.json</c>, prints the table, and writes
/// <c>summary.md</c> and the SVG charts beside them.
/// </summary>
internal static class ReportWriter
{
    public static int Write(string directory, TextWriter console)
    {
        var merged = new BenchResults { Phase = "all", StartedAt = DateTimeOffset.MaxValue };
        foreach (string file in Directory.GetFiles(directory, "phase-*.json").Order(StringComparer.Ordinal))
        {
            BenchResults? phase = JsonSerializer.Deserialize(File.ReadAllText(file), BenchJsonContext.Default.BenchResults);
            if (phase is null)
            {
                continue;
            }

            merged.Quick |= phase.Quick;
            merged.StartedAt = phase.StartedAt < merged.StartedAt ? phase.StartedAt : merged.StartedAt;
            merged.DurationSeconds += phase.DurationSeconds;
            merged.Measurements.AddRange(phase.Measurements);
            foreach (var (key, value) in phase.Environment)
            {
                merged.Environment[key] = value;
            }
        }

        if (merged.Measurements.Count == 0)
        {
            console.WriteLine($"no phase-*.json in {directory}: nothing was measured");
            return 1;
        }

        Dictionary<string, Measurement> byId = [];
        foreach (Measurement m in merged.Measurements)
        {
            byId[m.Id] = m;
        }

        File.WriteAllText(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(merged, BenchJsonContext.Default.BenchResults));
        IReadOnlyList<TableRow> rows = new ResultTable(byId).Build();
        string markdown = Markdown(merged, rows, byId.Values);
        File.WriteAllText(Path.Combine(directory, "summary.md"), markdown);

        var charts = new List<string>();
        try
        {
            Charts.DeliveriesPerN(byId, Path.Combine(directory, "deliveries-per-n.svg"));
            Charts.LatencyPercentiles(byId, Path.Combine(directory, "latency-percentiles.svg"));
            charts.AddRange(["deliveries-per-n.svg", "latency-percentiles.svg"]);
        }
        catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException or InvalidOperationException or IOException)
        {
            console.WriteLine($"charts not drawn: {ex.Message}");
        }

        console.WriteLine();
        foreach (string line in Format.Table(TableRow.Header, [.. rows.Select(r => r.Cells())]))
        {
            console.WriteLine(line);
        }

        console.WriteLine();
        console.WriteLine($"{(merged.Quick ? "quick run" : "full run")}, {merged.DurationSeconds:F0} s of measuring; " +
            $"written to {directory}: results.json, summary.md{string.Concat(charts.Select(c => ", " + c))}");
        return 0;
    }

    private static string Markdown(BenchResults merged, IReadOnlyList<TableRow> rows, IEnumerable<Measurement> measurements)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# ./build.sh bench{(merged.Quick ? " --quick" : string.Empty)} — {merged.StartedAt:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine("Every figure of this run; references measured in the same run on the same machine. " +
            "Compare ratios, not absolute numbers: the machine is shared and noisy.");
        text.AppendLine();
        foreach (var (key, value) in merged.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {key}: {value}");
        }

        text.AppendLine();
        foreach (string line in Format.Table(TableRow.Header, [.. rows.Select(r => r.Cells())]))
        {
            text.AppendLine(line);
        }

        text.AppendLine();
        text.AppendLine("![deliveries per second](deliveries-per-n.svg)");
        text.AppendLine();
        text.AppendLine("![latency percentiles](latency-percentiles.svg)");
        text.AppendLine();
        text.AppendLine("## Every measurement");
        text.AppendLine();
        text.AppendLine("CPU: seconds of CPU over the scenario's wall time, of the load generator (this process) and of the MainServer, " +
            "and of every other process on the machine; 100 % is one core. In the MainServer-alone and reference runs \"others\" is the noise " +
            "(other users' builds and tests); in the pipeline runs it includes the rest of the system under test (RestApi, consumer, RabbitMQ, PostgreSQL, Redis). " +
            "For the references the first figure is the C client's, the second the C server's or redis-server's.");
        text.AppendLine();
        var detail = new List<IReadOnlyList<string>>();
        foreach (Measurement m in measurements)
        {
            detail.Add([
                m.Id,
                m.Skipped ?? Headline(m),
                Latency(m),
                Cpu(m),
                string.Join("; ", m.Notes),
            ]);
        }

        foreach (string line in Format.Table(["id", "result", "latency p50 / p90 / p99 / p99.9 / max", "CPU (bench, server; others)", "notes"], detail))
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }

    private static string Headline(Measurement m)
    {
        var parts = new List<string>();
        if (m.Get("deliveries_per_s") is double d)
        {
            parts.Add($"{Format.Rate(d)} deliveries/s");
        }

        if (m.Get("msgs_per_s") is double b)
        {
            parts.Add($"{Format.Rate(b)} msg/s");
        }

        if (m.Get("delivered_per_s") is double p)
        {
            parts.Add($"{Format.Rate(p)} msg/s through, {Format.Rate(m.Get("accepted_per_s") ?? 0)} accepted/s");
        }

        if (m.Get("connect_s") is double c)
        {
            parts.Add($"connect {Format.Seconds(c)}");
        }

        if (m.Get("bytes_per_connection") is double bytes)
        {
            parts.Add($"{Format.Bytes(bytes)} per connection");
        }

        if (m.Get("delivered_fraction") is double f)
        {
            parts.Add($"{Format.Percent(f)} delivered");
        }

        return parts.Count == 0 ? "—" : string.Join(", ", parts);
    }

    private static string Latency(Measurement m)
    {
        string prefix = m.Get("lat_p50_ms") is not null ? "lat" : m.Get("during_p50_ms") is not null ? "during" : string.Empty;
        if (prefix.Length == 0 || m.Get(prefix + "_count") is 0)
        {
            return "—";
        }

        return string.Join(" / ", new[] { "p50", "p90", "p99", "p999", "max" }.Select(p => Format.Ms(m.Get($"{prefix}_{p}_ms") ?? 0))) + " ms";
    }

    private static string Cpu(Measurement m)
    {
        if (m.Get("wall_s") is not double wall || wall <= 0)
        {
            return m.Get("cpu_user_s") is double u ? $"client {u + (m.Get("cpu_sys_s") ?? 0):F1} s" : "—";
        }

        string text = $"{m.Get("bench_cpu_s") / wall * 100:F0} %";
        if (m.Get("server_cpu_s") is double s)
        {
            text += $", {s / wall * 100:F0} %";
        }

        if (m.Get("other_cpu_s") is double other)
        {
            text += $"; others {other / wall * 100:F0} %";
        }

        return text;
    }
}
