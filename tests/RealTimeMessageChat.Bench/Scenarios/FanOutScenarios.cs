using System.Diagnostics;
using RealTimeMessageChat.Bench.Measure;
using RealTimeMessageChat.Bench.Redis;
using RealTimeMessageChat.Bench.Report;
using RealTimeMessageChat.Bench.Runner;
using RealTimeMessageChat.Bench.Tcp;

namespace RealTimeMessageChat.Bench.Scenarios;

/// <summary>
/// The MainServer alone: messages appended straight to the Redis stream (<see cref="StreamAppender"/>),
/// fanned out to N clients of this process. Flat out with a window (lossless back-pressure, as the
/// C reference runs), paced open loop, and paced with 1 % of the clients not reading.
/// </summary>
internal sealed class FanOutScenarios(BenchContext context, StreamAppender appender)
{
    /// <summary>Messages the appender may be ahead of the slowest client in a flat-out run.</summary>
    public const int Window = 256;

    private const int MaxBatch = 64;

    private ClientPool Pool => context.Pool;

    /// <summary>Flat out at N clients; with <paramref name="toolkitEvery"/> not 0, the pool is reopened with every such client speaking the C++ toolkit's framing.</summary>
    public async Task MaxAsync(int clients, int size, double seconds, CancellationToken cancellationToken, int toolkitEvery = 0)
    {
        string id = toolkitEvery == 0 ? $"ours.max.n{clients}.s{size}" : $"ours.max.n{clients}.s{size}.toolkit{100 / toolkitEvery}";
        string mix = toolkitEvery == 0 ? string.Empty : $", {100 / toolkitEvery} % C++ toolkit clients";
        Measurement result = context.Add(id, $"max fan-out N={clients:N0}, {size} B{mix} (MainServer alone)");
        context.Progress.Begin(result.Title);
        if (toolkitEvery > 0)
        {
            await appender.FlushAsync();
            await context.EnsureClientsAsync(0, result, cancellationToken);
            await context.EnsureClientsAsync(clients, result, cancellationToken, toolkitEvery, appender.Head);
        }
        else
        {
            await context.EnsureClientsAsync(clients, result, cancellationToken);
        }

        await WarmUpAsync(size, cancellationToken);

        Pool.BeginWindow();
        long startHead = appender.Head, startDelivered = Pool.TotalDelivered(), startReads = Pool.TotalReads();
        var cpu = new CpuMeter(context.Options.MainServerPid);
        long start = Stopwatch.GetTimestamp(), deadline = start + (long)(seconds * Stopwatch.Frequency);
        using (context.Progress.Ticker(() => Status(start, seconds, startDelivered)))
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                long room = Window - (appender.Head - Pool.MinLastSeq(appender.Head));
                if (room <= 0)
                {
                    await Task.Delay(1, cancellationToken);
                    continue;
                }

                await appender.AppendAsync((int)Math.Min(room, MaxBatch), size, _ => Stopwatch.GetTimestamp());
            }

            await appender.FlushAsync();
            bool drained = await Pool.WaitForAsync(appender.Head, context.DrainTimeout);
            if (!drained)
            {
                result.Notes.Add($"not every client reached seq {appender.Head}: no progress for {context.DrainTimeout.TotalSeconds} s");
            }
        }

        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long deliveries = Pool.TotalDelivered() - startDelivered;
        WindowStats stats = Pool.Collect(appender.Head);
        result.With(cpu.Stop()).With(stats.ToValues()).With(Pool.Recorder.Summarize().ToValues());
        result.Values["messages"] = appender.Head - startHead;
        result.Values["deliveries"] = deliveries;
        result.Values["deliveries_per_s"] = deliveries / elapsed;
        result.Values["content_bytes"] = size;
        AddReads(result, deliveries, Pool.TotalReads() - startReads);
        result.Notes.Add(stats.Describe());
        context.Progress.Info($"{deliveries / elapsed / 1e6:F3} M deliveries/s; {stats.Describe()}");
    }

    public async Task PacedAsync(int clients, int size, double rate, double seconds, CancellationToken cancellationToken)
    {
        string id = $"ours.paced.n{clients}.r{rate}";
        Measurement result = context.Add(id, $"paced fan-out N={clients:N0} × {rate:N0} msg/s, {size} B (MainServer alone)");
        context.Progress.Begin(result.Title);
        await context.EnsureClientsAsync(clients, result, cancellationToken);
        await WarmUpAsync(size, cancellationToken);

        Pool.BeginWindow();
        long startHead = appender.Head, startDelivered = Pool.TotalDelivered(), startReads = Pool.TotalReads();
        var cpu = new CpuMeter(context.Options.MainServerPid);
        long total = (long)(rate * seconds);
        var schedule = new OpenLoopSchedule(rate, Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10);
        using (context.Progress.Ticker(() => Status(schedule.Start, seconds, startDelivered)))
        {
            await PublishPacedAsync(schedule, total, size, cancellationToken);
            await appender.FlushAsync();
            if (!await Pool.WaitForAsync(appender.Head, context.DrainTimeout))
            {
                result.Notes.Add($"not every client reached seq {appender.Head}: no progress for {context.DrainTimeout.TotalSeconds} s");
            }
        }

        double elapsed = Stopwatch.GetElapsedTime(schedule.Start).TotalSeconds;
        long deliveries = Pool.TotalDelivered() - startDelivered;
        WindowStats stats = Pool.Collect(appender.Head);
        long expected = (appender.Head - startHead) * stats.Clients;
        result.With(cpu.Stop()).With(stats.ToValues()).With(Pool.Recorder.Summarize().ToValues());
        result.Values["messages"] = appender.Head - startHead;
        result.Values["rate"] = rate;
        result.Values["deliveries"] = deliveries;
        result.Values["deliveries_per_s"] = deliveries / elapsed;
        result.Values["drain_s"] = elapsed - seconds;
        result.Values["delivered_fraction"] = expected == 0 ? 0 : (double)deliveries / expected;
        result.Values["content_bytes"] = size;
        AddReads(result, deliveries, Pool.TotalReads() - startReads);
        result.Notes.Add(stats.Describe());
        Percentiles latency = Pool.Recorder.Summarize();
        context.Progress.Info($"p50 {latency.P50:F1} ms, p99 {latency.P99:F1} ms, max {latency.Max:F1} ms; {stats.Describe()}");
    }

    /// <summary>
    /// A paced run in which 1 % of the clients stop reading for <paramref name="stallSeconds"/>: what
    /// the others' latency does (before, during, after the stall) and how the server's memory grows.
    /// </summary>
    public async Task SlowClientsAsync(int clients, int size, double rate, double stallSeconds, CancellationToken cancellationToken)
    {
        const string Id = "ours.slow.n1000";
        Measurement result = context.Add(Id, $"1 % of N={clients:N0} stop reading for {stallSeconds:N0} s during a paced run ({rate:N0} msg/s, {size} B)");
        context.Progress.Begin(result.Title);
        await context.EnsureClientsAsync(clients, result, cancellationToken);
        await WarmUpAsync(size, cancellationToken);

        Pool.BeginWindow();
        int stalledCount = Math.Max(1, Pool.Count / 100);
        BenchClient[] stalled = [.. Pool.Clients.Take(stalledCount)];
        foreach (BenchClient client in stalled)
        {
            client.InStallGroup = true;
        }

        double lead = context.Quick ? 4 : Math.Max(5, stallSeconds / 4), seconds = lead + stallSeconds + lead;
        long startHead = appender.Head;
        int pid = context.Options.MainServerPid;
        var samples = new List<(double At, long Rss, string Phase)>();
        var cpu = new CpuMeter(pid);
        var schedule = new OpenLoopSchedule(rate, Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10);
        string phase = "before";
        Task publishing = PublishPacedAsync(schedule, (long)(rate * seconds), size, cancellationToken);
        LatencyRecorder? before = null, during = null;
        using (context.Progress.Ticker(() => $"{phase} the stall: {Stopwatch.GetElapsedTime(schedule.Start).TotalSeconds:F0}/{seconds:F0} s, server RSS {ProcStats.RssBytes(pid) / 1048576.0:F1} MiB"))
        {
            while (!publishing.IsCompleted)
            {
                double at = Stopwatch.GetElapsedTime(schedule.Start).TotalSeconds;
                if (phase == "before" && at >= lead)
                {
                    before = Pool.SwapRecorder();
                    foreach (BenchClient client in stalled)
                    {
                        client.Stall();
                    }

                    phase = "during";
                }
                else if (phase == "during" && at >= lead + stallSeconds)
                {
                    during = Pool.SwapRecorder();
                    foreach (BenchClient client in stalled)
                    {
                        client.Resume();
                    }

                    phase = "after";
                }

                if (pid > 0)
                {
                    samples.Add((at, ProcStats.RssBytes(pid), phase));
                }

                await Task.WhenAny(publishing, Task.Delay(250, cancellationToken));
            }

            await publishing;
            await appender.FlushAsync();
            if (!await Pool.WaitForAsync(appender.Head, context.DrainTimeout))
            {
                result.Notes.Add($"not every open client reached seq {appender.Head}: no progress for {context.DrainTimeout.TotalSeconds} s");
            }
        }

        WindowStats others = Pool.Collect(appender.Head, c => !c.InStallGroup);
        WindowStats slow = Pool.Collect(appender.Head, c => c.InStallGroup);
        result.With(cpu.Stop()).With(others.ToValues());
        result.With(Summarize(before).ToValues("before"));
        result.With(Summarize(during).ToValues("during"));
        result.With(Pool.Recorder.Summarize().ToValues("after"));
        result.With(Pool.StalledRecorder.Summarize().ToValues("stalled"));
        result.Values["messages"] = appender.Head - startHead;
        result.Values["stalled_clients"] = stalledCount;
        result.Values["stalled_disconnected"] = slow.Disconnected;
        result.Values["stalled_missing"] = slow.Missing;
        result.Values["stall_s"] = stallSeconds;
        if (samples.Count > 0)
        {
            result.Values["rss_before_mib"] = samples.Where(s => s.Phase == "before").Select(s => s.Rss).DefaultIfEmpty(0).Max() / 1048576.0;
            result.Values["rss_during_max_mib"] = samples.Where(s => s.Phase == "during").Select(s => s.Rss).DefaultIfEmpty(0).Max() / 1048576.0;
            result.Values["rss_after_mib"] = ProcStats.RssBytes(pid) / 1048576.0;
        }

        double p99Before = result.Values["before_p99_ms"], p99During = result.Values["during_p99_ms"];
        result.Values["others_p99_change"] = p99Before > 0 ? p99During / p99Before - 1 : 0;
        result.Notes.Add("others: " + others.Describe());
        result.Notes.Add($"stalled {stalledCount}: disconnected {slow.Disconnected}" +
            (slow.DisconnectReasons.Count > 0 ? $" ({string.Join(", ", slow.DisconnectReasons.Distinct())})" : string.Empty) +
            $", missing {slow.Missing:N0} (open), duplicates {slow.Duplicates}, reordered {slow.Reordered}");
        context.Progress.Info($"others' p99 {p99Before:F1} ms before, {p99During:F1} ms during; stalled disconnected: {slow.Disconnected}");
    }

    /// <summary>Deliveries per read, and the generator's CPU per read (compare with the C client's cost against the references).</summary>
    internal static void AddReads(Measurement result, long deliveries, long reads)
    {
        if (reads <= 0)
        {
            return;
        }

        result.Values["reads"] = reads;
        result.Values["frames_per_read"] = (double)deliveries / reads;
        if (result.Values.TryGetValue("bench_cpu_s", out double cpu))
        {
            result.Values["bench_ns_per_delivery"] = cpu / Math.Max(1, deliveries) * 1e9;
        }
    }

    private static Percentiles Summarize(LatencyRecorder? recorder)
    {
        if (recorder is null)
        {
            return Percentiles.Empty;
        }

        Percentiles summary = recorder.Summarize();
        recorder.Dispose();
        return summary;
    }

    private async Task PublishPacedAsync(OpenLoopSchedule schedule, long total, int size, CancellationToken cancellationToken)
    {
        long sent = 0;
        while (sent < total)
        {
            await schedule.WaitForAsync(sent, cancellationToken);
            long due = Math.Min(total, schedule.DueCount(Stopwatch.GetTimestamp()));
            while (sent < due)
            {
                int count = (int)Math.Min(due - sent, MaxBatch);
                long first = sent;
                await appender.AppendAsync(count, size, i => schedule.DueAt(first + i));
                sent += count;
            }
        }
    }

    /// <summary>A few hundred thousand deliveries first (JIT, buffers), not measured.</summary>
    private async Task WarmUpAsync(int size, CancellationToken cancellationToken)
    {
        long target = appender.Head + Math.Clamp(200_000 / Math.Max(1, Pool.Count), 10, 200);
        while (appender.Head < target)
        {
            long room = Window - (appender.Head - Pool.MinLastSeq(appender.Head));
            if (room <= 0)
            {
                await Task.Delay(1, cancellationToken);
                continue;
            }

            await appender.AppendAsync((int)Math.Min(Math.Min(room, MaxBatch), target - appender.Head), size, _ => Stopwatch.GetTimestamp());
        }

        await appender.FlushAsync();
        await Pool.WaitForAsync(appender.Head, context.DrainTimeout);
    }

    private string Status(long start, double seconds, long startDelivered)
    {
        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long delivered = Pool.TotalDelivered() - startDelivered;
        return $"{Math.Min(elapsed, seconds):F0}/{seconds:F0} s, seq {appender.Head:N0}, {delivered / 1e6:F2} M deliveries ({delivered / Math.Max(elapsed, 0.001) / 1e6:F2} M/s)";
    }
}
