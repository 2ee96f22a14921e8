using System.Collections.Concurrent;
using System.Diagnostics;
using RealTimeMessageChat.Bench.Http;
using RealTimeMessageChat.Bench.Measure;
using RealTimeMessageChat.Bench.Redis;
using RealTimeMessageChat.Bench.Report;
using RealTimeMessageChat.Bench.Runner;
using RealTimeMessageChat.Bench.Tcp;

namespace RealTimeMessageChat.Bench.Scenarios;

/// <summary>
/// The whole system: connect and authenticate at scale, idle memory, POST → RabbitMQ → consumer →
/// Redis → MainServer → clients latency at a fixed POST rate, and the highest accepted publish rate.
/// </summary>
internal sealed class PipelineScenarios(BenchContext context, RespConnection redis)
{
    private ClientPool Pool => context.Pool;

    /// <summary>
    /// Connects N clients to a MainServer that has none and compares its RSS before and after (the
    /// idle memory, on a server that has never had a client: an upper bound, with the heap growth
    /// and compiled code of its first handshakes); then closes them all and connects N again for the
    /// connect time of a warm server (a deployment runs for days: the first 10,000 handshakes after
    /// start are also its JIT, which took half of the MainServer's CPU in that run, perf 2026-12-02).
    /// The cold time is reported beside it.
    /// </summary>
    public async Task ConnectAndIdleAsync(int clients, CancellationToken cancellationToken)
    {
        Measurement result = context.Add($"ours.connect.n{clients}", $"{clients:N0} clients: connect + authenticate; idle memory per connection");
        context.Progress.Begin(result.Title);
        int pid = context.Options.MainServerPid;
        if (Pool.Count > 0)
        {
            result.Notes.Add($"{Pool.Count} clients were already connected");
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        long rssBefore = ProcStats.RssBytes(pid);
        ConnectOutcome cold = await context.EnsureClientsAsync(clients, result, cancellationToken);

        // Let the server settle (presence writes, timers), then read its resident memory.
        await Task.Delay(TimeSpan.FromSeconds(context.Quick ? 2 : 4), cancellationToken);
        long rssAfter = ProcStats.RssBytes(pid);
        if (rssBefore > 0 && rssAfter > 0 && cold.Connected > 0)
        {
            result.Values["rss_before_mib"] = rssBefore / 1048576.0;
            result.Values["rss_after_mib"] = rssAfter / 1048576.0;
            result.Values["bytes_per_connection"] = (double)(rssAfter - rssBefore) / cold.Connected;
        }
        else
        {
            result.Notes.Add("MainServer RSS not readable (no --mainserver-pid?)");
        }

        context.Progress.Info($"{cold.Connected:N0} connected to a fresh MainServer in {cold.Elapsed.TotalSeconds:F2} s; " +
            $"RSS {rssBefore / 1048576.0:F1} → {rssAfter / 1048576.0:F1} MiB ({(rssAfter - rssBefore) / 1024.0 / Math.Max(1, cold.Connected):F1} KiB per connection)");

        await context.EnsureClientsAsync(0, result, cancellationToken);
        double idleAfter = await WaitForServerIdleAsync(cancellationToken);
        var cpu = new CpuMeter(pid);
        ConnectOutcome warm = await context.EnsureClientsAsync(clients, result, cancellationToken);
        result.With(cpu.Stop());
        result.Values["connect_s"] = warm.Elapsed.TotalSeconds;
        result.Values["connect_cold_s"] = cold.Elapsed.TotalSeconds;
        result.Values["connected"] = warm.Connected;
        result.Values["failed"] = warm.Failed + cold.Failed;
        result.Values["concurrency"] = BenchContext.ConnectConcurrency;
        result.Notes.Add($"connect time on the fresh MainServer (its first {clients:N0} handshakes): {cold.Elapsed.TotalSeconds:F2} s; " +
            $"the table's figure is the second {clients:N0}, after all were closed and the server was idle ({idleAfter:F1} s later)");
        context.Progress.Info($"{warm.Connected:N0} connected again in {warm.Elapsed.TotalSeconds:F2} s (warm)");
    }

    /// <summary>POSTs at a fixed rate (open loop), 1 KiB each; latency POST → every client, and of the POST itself.</summary>
    public async Task PostToReceiveAsync(int clients, double rate, double seconds, CancellationToken cancellationToken)
    {
        const int Size = 1024;
        Measurement result = context.Add($"ours.post.n{clients}.r{rate}", $"whole pipeline POST→receive N={clients:N0} × {rate:N0} POST/s, {Size} B");
        context.Progress.Begin(result.Title);
        await context.EnsureClientsAsync(clients, result, cancellationToken);
        using var http = new ChatHttp(context.Options.ApiUrl, 64);
        await WarmUpAsync(http, cancellationToken);

        Pool.BeginWindow();
        long startHead = await StreamAppender.ReadHeadAsync(redis), startDelivered = Pool.TotalDelivered(), startReads = Pool.TotalReads();
        var cpu = new CpuMeter(context.Options.MainServerPid);
        using var responses = new LatencyRecorder();
        var statuses = new ConcurrentDictionary<int, int>();
        long total = (long)(rate * seconds);
        var schedule = new OpenLoopSchedule(rate, Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10);
        var inFlight = new List<Task>();
        using (context.Progress.Ticker(() => $"{Math.Min(Stopwatch.GetElapsedTime(schedule.Start).TotalSeconds, seconds):F0}/{seconds:F0} s, " +
            $"{statuses.GetValueOrDefault(202)} accepted, {(Pool.TotalDelivered() - startDelivered) / 1e3:F1} k deliveries"))
        {
            for (long i = 0; i < total; i++)
            {
                await schedule.WaitForAsync(i, cancellationToken);
                long due = schedule.DueAt(i);
                BenchUser user = context.Users[(int)(i % context.Users.Count)];
                inFlight.Add(PostOnceAsync(http, user, BenchContent.Create(due, Size), due, responses, statuses, cancellationToken));
            }

            await Task.WhenAll(inFlight);
            long accepted = statuses.GetValueOrDefault(202);
            if (!await Pool.WaitForAsync(startHead + accepted, context.DrainTimeout))
            {
                result.Notes.Add($"not every client reached seq {startHead + accepted}: no progress for {context.DrainTimeout.TotalSeconds} s");
            }
        }

        // Anything published but not answered 202 (a timeout that still went through) shows up here.
        await Task.Delay(200, cancellationToken);
        long head = await StreamAppender.ReadHeadAsync(redis);
        WindowStats stats = Pool.Collect(head);
        result.With(cpu.Stop()).With(stats.ToValues()).With(Pool.Recorder.Summarize().ToValues());
        result.With(responses.Summarize().ToValues("post"));
        AddStatuses(result, statuses, total);
        result.Values["messages"] = head - startHead;
        result.Values["deliveries"] = Pool.TotalDelivered() - startDelivered;
        FanOutScenarios.AddReads(result, Pool.TotalDelivered() - startDelivered, Pool.TotalReads() - startReads);
        result.Notes.Add(stats.Describe());
        Percentiles latency = Pool.Recorder.Summarize(), post = responses.Summarize();
        context.Progress.Info($"POST→receive p50 {latency.P50:F1} / p99 {latency.P99:F1} ms; POST response p50 {post.P50:F1} / p99 {post.P99:F1} ms; {stats.Describe()}");
    }

    /// <summary>64 HTTP connections, 40 users, each connection publishing back to back: the accepted rate, and the rate the whole pipeline delivered it.</summary>
    public async Task ThroughputAsync(int clients, int connections, double seconds, CancellationToken cancellationToken)
    {
        const int Size = 256;
        Measurement result = context.Add("ours.pipeline.max", $"whole pipeline, highest sustained accepted msg/s (HTTP, {connections} connections, {context.Users.Count} users, {Size} B)");
        context.Progress.Begin(result.Title);
        await context.EnsureClientsAsync(clients, result, cancellationToken);
        using var http = new ChatHttp(context.Options.ApiUrl, connections);
        await WarmUpAsync(http, cancellationToken);

        Pool.BeginWindow();
        long startHead = await StreamAppender.ReadHeadAsync(redis);
        var cpu = new CpuMeter(context.Options.MainServerPid);
        var roles = new RoleCpuMeter(context.Options.RedisPort);
        using var responses = new LatencyRecorder();
        var statuses = new ConcurrentDictionary<int, int>();
        long start = Stopwatch.GetTimestamp(), deadline = start + (long)(seconds * Stopwatch.Frequency);
        long acceptedAt = 0;
        using (context.Progress.Ticker(() => $"{Math.Min(Stopwatch.GetElapsedTime(start).TotalSeconds, seconds):F0}/{seconds:F0} s, " +
            $"{statuses.GetValueOrDefault(202):N0} accepted ({statuses.GetValueOrDefault(202) / Stopwatch.GetElapsedTime(start).TotalSeconds:N0}/s), " +
            $"delivered through seq {Pool.MinLastSeq(long.MaxValue) - startHead:N0}"))
        {
            await PublishBackToBackAsync(http, connections, Size, deadline, responses, statuses, cancellationToken);
            acceptedAt = Stopwatch.GetTimestamp();
            long accepted = statuses.GetValueOrDefault(202);
            if (!await Pool.WaitForAsync(startHead + accepted, context.DrainTimeout))
            {
                result.Notes.Add($"not every client reached seq {startHead + accepted}: no progress for {context.DrainTimeout.TotalSeconds} s");
            }
        }

        double acceptSeconds = (double)(acceptedAt - start) / Stopwatch.Frequency;
        double throughSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        // Where each message's CPU went (start of the window to the last delivery).
        if (roles.StopPerMessage(result, statuses.GetValueOrDefault(202)) is { } cpuNote)
        {
            context.Progress.Info(cpuNote);
        }

        await Task.Delay(200, cancellationToken);
        long head = await StreamAppender.ReadHeadAsync(redis);
        WindowStats stats = Pool.Collect(head);
        long acceptedCount = statuses.GetValueOrDefault(202);
        result.With(cpu.Stop()).With(stats.ToValues()).With(Pool.Recorder.Summarize().ToValues());
        result.With(responses.Summarize().ToValues("post"));
        AddStatuses(result, statuses, statuses.Values.Sum());
        result.Values["connections"] = connections;
        result.Values["accepted_per_s"] = acceptedCount / acceptSeconds;
        result.Values["delivered_per_s"] = acceptedCount / throughSeconds;
        result.Values["messages"] = head - startHead;
        result.Notes.Add($"accepted {acceptedCount:N0} in {acceptSeconds:F1} s; the last reached the clients after {throughSeconds:F1} s");
        result.Notes.Add(stats.Describe());
        if (statuses.GetValueOrDefault(429) > 0)
        {
            result.Notes.Add($"{statuses[429]:N0} answers were 429: the per-user limit (rate_limit_per_second × users) caps what {context.Users.Count} users may send");
        }

        context.Progress.Info($"{acceptedCount / acceptSeconds:N0} accepted/s; through the pipeline {acceptedCount / throughSeconds:N0}/s; {stats.Describe()}");
    }

    /// <summary>
    /// Warms the processes, so that what is measured afterwards is the steady state of a long-running
    /// deployment, not the first seconds after start, when each .NET process is still compiling its
    /// hot paths (tiered JIT took a third of both cores in the first pipeline run after start: perf,
    /// 2026-12-02): back-to-back publishing through the whole pipeline, in 2 s windows, for at least
    /// <paramref name="seconds"/>.
    /// </summary>
    public async Task WarmUpPublishAsync(double seconds, CancellationToken cancellationToken)
    {
        Measurement result = context.Add("warmup.publish", "warm-up: back-to-back publishing through the whole pipeline until its rate stops rising; not a target");
        context.Progress.Begin(result.Title);
        var elapsed = Stopwatch.StartNew();
        // Windows of 2 s until the rate stops rising (tier-1 code in every process), at least
        // `seconds`, at most twice that (the rate still rose for 14 s after start in a quick run).
        await context.EnsureClientsAsync(10, result, cancellationToken);
        using var http = new ChatHttp(context.Options.ApiUrl, 64);
        long head = await StreamAppender.ReadHeadAsync(redis);
        using var responses = new LatencyRecorder();
        var statuses = new ConcurrentDictionary<int, int>();
        var rates = new List<double>();
        while (true)
        {
            long before = statuses.GetValueOrDefault(202), windowStart = Stopwatch.GetTimestamp();
            await PublishBackToBackAsync(http, 64, 256, windowStart + (2 * Stopwatch.Frequency), responses, statuses, cancellationToken);
            rates.Add((statuses.GetValueOrDefault(202) - before) / Stopwatch.GetElapsedTime(windowStart).TotalSeconds);
            double elapsedSeconds = elapsed.Elapsed.TotalSeconds;
            bool plateau = rates.Count >= 3 && rates[^1] < 1.05 * rates.SkipLast(1).Max();
            if (elapsedSeconds >= 2 * seconds || (elapsedSeconds >= seconds && plateau))
            {
                break;
            }
        }

        long accepted = statuses.GetValueOrDefault(202);
        await Pool.WaitForAsync(head + accepted, context.DrainTimeout);
        result.Values["accepted_per_s"] = accepted / elapsed.Elapsed.TotalSeconds;
        result.Values["warmup_s"] = elapsed.Elapsed.TotalSeconds;
        AddStatuses(result, statuses, statuses.Values.Sum());
        string windows = string.Join(", ", rates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        result.Notes.Add($"accepted/s per 2 s window while warming: {windows}");
        context.Progress.Info($"{accepted:N0} accepted in {elapsed.Elapsed.TotalSeconds:F0} s; per 2 s window: {windows}/s");
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
    }

    /// <summary>Waits (up to 5 s) until the MainServer used under 10 ms of CPU in a quarter second; returns the seconds waited.</summary>
    private async Task<double> WaitForServerIdleAsync(CancellationToken cancellationToken)
    {
        int pid = context.Options.MainServerPid;
        var waited = Stopwatch.StartNew();
        if (pid <= 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return waited.Elapsed.TotalSeconds;
        }

        double before = ProcStats.CpuSeconds(pid);
        while (waited.Elapsed.TotalSeconds < 5)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            double now = ProcStats.CpuSeconds(pid);
            if (now - before < 0.010)
            {
                break;
            }

            before = now;
        }

        return waited.Elapsed.TotalSeconds;
    }

    /// <summary>Each of <paramref name="connections"/> workers publishes, waits for the answer and publishes again, until the deadline.</summary>
    private Task PublishBackToBackAsync(
        ChatHttp http, int connections, int size, long deadline, LatencyRecorder responses, ConcurrentDictionary<int, int> statuses, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            BenchUser user = context.Users[worker % context.Users.Count];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                long now = Stopwatch.GetTimestamp();
                await PostOnceAsync(http, user, BenchContent.Create(now, size), now, responses, statuses, cancellationToken);
            }
        }, cancellationToken)));

    private static void AddStatuses(Measurement result, ConcurrentDictionary<int, int> statuses, long attempted)
    {
        result.Values["posts"] = attempted;
        result.Values["accepted"] = statuses.GetValueOrDefault(202);
        foreach (var (status, count) in statuses)
        {
            result.Values[$"status_{status}"] = count;
        }

        if (statuses.Keys.Any(s => s != 202))
        {
            result.Notes.Add("answers: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value:N0}")));
        }
    }

    private static async Task PostOnceAsync(
        ChatHttp http, BenchUser user, string content, long due, LatencyRecorder responses, ConcurrentDictionary<int, int> statuses, CancellationToken cancellationToken)
    {
        int status;
        try
        {
            status = await http.PublishAsync(user, content, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            status = 0;
        }

        responses.RecordSince(due, Stopwatch.GetTimestamp());
        statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
    }

    /// <summary>A few publishes first (connections, JIT), then waits until they reached every client.</summary>
    private async Task WarmUpAsync(ChatHttp http, CancellationToken cancellationToken)
    {
        long head = await StreamAppender.ReadHeadAsync(redis);
        int accepted = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            if (await http.PublishAsync(context.Users[i % context.Users.Count], BenchContent.Create(Stopwatch.GetTimestamp(), 64), ct) == 202)
            {
                Interlocked.Increment(ref accepted);
            }
        });
        await Pool.WaitForAsync(head + accepted, context.DrainTimeout);
        await Task.Delay(200, cancellationToken);
    }
}
