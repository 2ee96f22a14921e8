using System.Globalization;
using RealTimeMessageChat.Bench.Measure;
using RealTimeMessageChat.Bench.Redis;
using RealTimeMessageChat.Bench.Report;
using RealTimeMessageChat.Bench.Runner;

namespace RealTimeMessageChat.Bench.References;

/// <summary>
/// The machine's limit and the peer a user would bolt on instead, measured in the same run: the C
/// epoll server and client of <c>../shared/bench-reference</c> (coalesced <c>-w 2</c>, flat out or
/// paced with <c>-r</c>), and redis-server pub/sub through the same C client (<c>-R -P</c>).
/// </summary>
internal sealed class FanOutReferences(BenchContext context)
{
    private const string Channel = "rtmc_bench";

    private BenchOptions Options => context.Options;

    private string Server => Path.Combine(Options.ReferenceBinaries, "fanout_server");

    private string Client => Path.Combine(Options.ReferenceBinaries, "fanout_client");

    private bool HasC => Options.ReferenceBinaries.Length > 0 && File.Exists(Server) && File.Exists(Client);

    private bool HasRedis => HasC && Options.ReferenceRedisPort > 0;

    private string? CSkipReason => HasC ? null : Options.ReferenceSkipReason;

    private string RedisSkipReason => HasC ? "no reference redis-server" : Options.ReferenceSkipReason;

    /// <summary>Adds the measurement and shows it; with a <paramref name="skipReason"/> it is marked skipped and null returned.</summary>
    private Measurement? Begin(string id, string title, string? skipReason)
    {
        Measurement result = context.Add(id, title);
        context.Progress.Begin(result.Title);
        if (skipReason is null)
        {
            return result;
        }

        result.Skipped = skipReason;
        context.Progress.Info("skipped: " + skipReason);
        return null;
    }

    /// <summary>C server + client, flat out; at N=10,000 also the connect time and the server's RSS per connection.</summary>
    public async Task CMaxAsync(int clients, int size, long deliveries)
    {
        if (Begin($"c.max.n{clients}.s{size}", $"C epoll server, coalesced (-w 2): N={clients:N0}, {size} B", CSkipReason) is not { } result)
        {
            return;
        }

        long messages = Math.Max(100, deliveries / clients);
        string[] common = ["-p", P(Options.ReferencePort), "-n", P(clients), "-m", P(messages), "-s", P(size)];
        using ReferenceProcess server = ReferenceProcess.Start(Server, [.. common, "-w", "2", "-d", "500"]);
        await server.WaitForLineAsync(l => l.StartsWith("server: listening", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        long rssBefore = ProcStats.RssBytes(server.Pid);
        var cpu = new CpuMeter(server.Pid);
        using ReferenceProcess client = ReferenceProcess.Start(Client, [.. common, "-t", "30"]);
        try
        {
            await server.WaitForLineAsync(l => l.StartsWith("server: all", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            long rssConnected = ProcStats.RssBytes(server.Pid);
            result.Values["rss_before_mib"] = rssBefore / 1048576.0;
            result.Values["bytes_per_connection"] = (double)(rssConnected - rssBefore) / clients;
        }
        catch (TimeoutException)
        {
            result.Notes.Add("the server did not report all clients connected");
        }

        int clientExit = await client.WaitForExitAsync(TimeSpan.FromSeconds(120));
        result.With(cpu.Stop());
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Collect(result, client, clientExit);
        CollectServer(result, server);

        string? connected = client.Lines.FirstOrDefault(l => l.StartsWith("client: ", StringComparison.Ordinal) && l.Contains(" connected in ", StringComparison.Ordinal));
        if (connected is not null && double.TryParse(connected.Split(' ')[^2], NumberStyles.Float, CultureInfo.InvariantCulture, out double connectSeconds))
        {
            result.Values["connect_s"] = connectSeconds;
        }

        Report(result);
    }

    /// <summary>
    /// Calibration: the C server flat out to this generator's own clients (no handshake, binary
    /// payloads) instead of the C client, so the generator's CPU per delivery can be compared with
    /// the C client's on the same server. If ours costs much more, it is the bottleneck somewhere.
    /// </summary>
    public async Task CalibrateAsync(int clients, int size, long deliveries)
    {
        if (Begin($"calibrate.n{clients}.s{size}", $"calibration: C server → this generator's clients, N={clients:N0}, {size} B", CSkipReason) is not { } result)
        {
            return;
        }

        long messages = Math.Max(100, deliveries / clients);
        using ReferenceProcess server = ReferenceProcess.Start(Server, "-p", P(Options.ReferencePort), "-n", P(clients), "-m", P(messages), "-s", P(size), "-w", "2", "-d", "500");
        await server.WaitForLineAsync(l => l.StartsWith("server: listening", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        using var pool = new Tcp.ClientPool(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Options.ReferencePort));
        await pool.EnsureAsync(clients, [], 256, null, CancellationToken.None, raw: true);
        var cpu = new CpuMeter(0);
        long first = 0, expected = messages * clients;
        long deadline = Environment.TickCount64 + 120_000;
        while (pool.TotalDelivered() < expected && Environment.TickCount64 < deadline && pool.Clients.Any(c => c.IsOpen))
        {
            if (first == 0 && pool.TotalDelivered() > 0)
            {
                first = System.Diagnostics.Stopwatch.GetTimestamp();
            }

            await Task.Delay(1);
        }

        double elapsed = first == 0 ? 0 : System.Diagnostics.Stopwatch.GetElapsedTime(first).TotalSeconds;
        long delivered = pool.TotalDelivered(), reads = pool.TotalReads();
        result.With(cpu.Stop()).With(pool.Recorder.Summarize().ToValues());
        Tcp.WindowStats stats = pool.Collect(messages);
        result.With(stats.ToValues());
        result.Values["deliveries"] = delivered;
        result.Values["deliveries_per_s"] = elapsed > 0 ? delivered / elapsed : 0;
        result.Values["reads"] = reads;
        result.Values["frames_per_read"] = reads > 0 ? (double)delivered / reads : 0;
        result.Values["bench_ns_per_delivery"] = result.Values["bench_cpu_s"] / Math.Max(1, delivered) * 1e9;
        result.Notes.Add(stats.Describe());
        pool.Dispose();
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        context.Progress.Info($"{result.Values["deliveries_per_s"] / 1e6:F3} M deliveries/s into this generator, {result.Values["bench_ns_per_delivery"]:F0} ns CPU per delivery " +
            $"({result.Values["frames_per_read"]:F0} frames per read); {stats.Describe()}");
    }

    /// <summary>C server paced at <paramref name="rate"/> frames/s (each stamped with its scheduled time).</summary>
    public async Task CPacedAsync(int clients, int size, int rate, double seconds)
    {
        if (Begin($"c.paced.n{clients}.r{rate}", $"C epoll server paced: N={clients:N0} × {rate:N0}/s, {size} B", CSkipReason) is not { } result)
        {
            return;
        }

        long messages = Math.Max(10, (long)(rate * seconds));
        string[] common = ["-p", P(Options.ReferencePort), "-n", P(clients), "-m", P(messages), "-s", P(size)];
        using ReferenceProcess server = ReferenceProcess.Start(Server, [.. common, "-w", "2", "-r", P(rate)]);
        await server.WaitForLineAsync(l => l.StartsWith("server: listening", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var cpu = new CpuMeter(server.Pid);
        using ReferenceProcess client = ReferenceProcess.Start(Client, [.. common, "-t", "30"]);
        using (context.Progress.Ticker(() => $"paced run of {seconds:F0} s"))
        {
            int exit = await client.WaitForExitAsync(TimeSpan.FromSeconds(seconds + 90));
            result.With(cpu.Stop());
            await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Collect(result, client, exit);
            CollectServer(result, server);
        }

        result.Values["rate"] = rate;
        Report(result);
    }

    /// <summary>Redis pub/sub: N subscribers and one publisher, all in the C client.</summary>
    public async Task RedisAsync(int clients, int size, long deliveries, int rate = 0, double seconds = 0)
    {
        string id = rate > 0 ? $"redis.paced.n{clients}.r{rate}" : $"redis.max.n{clients}.s{size}";
        string title = rate > 0 ? $"Redis pub/sub paced: N={clients:N0} × {rate:N0}/s, {size} B" : $"Redis pub/sub: N={clients:N0}, {size} B";
        if (Begin(id, title, !HasRedis ? RedisSkipReason : null) is not { } result)
        {
            return;
        }

        long messages = rate > 0 ? Math.Max(10, (long)(rate * seconds)) : Math.Max(50, deliveries / clients);
        List<string> arguments = ["-p", P(Options.ReferenceRedisPort), "-R", Channel, "-P", "-n", P(clients), "-m", P(messages), "-s", P(size), "-B", "16", "-O", "64", "-t", "30"];
        if (rate > 0)
        {
            arguments.AddRange(["-r", P(rate)]);
        }

        var cpu = new CpuMeter(Options.ReferenceRedisPid);
        using ReferenceProcess client = ReferenceProcess.Start(Client, [.. arguments]);
        using (context.Progress.Ticker(() => $"{messages:N0} messages to {clients:N0} subscribers"))
        {
            int exit = await client.WaitForExitAsync(TimeSpan.FromSeconds(Math.Max(seconds, 30) + 90));
            result.With(cpu.Stop());
            Collect(result, client, exit);
        }

        if (client.ParseLine("PUB") is { } pub)
        {
            result.Values["pub_per_s"] = pub.GetValueOrDefault("pub_per_s");
        }

        if (rate > 0)
        {
            result.Values["rate"] = rate;
        }

        Report(result);
    }

    /// <summary>redis-server's RSS with N idle subscribers, per subscriber.</summary>
    public async Task RedisIdleAsync(int clients)
    {
        if (Begin($"redis.idle.n{clients}", $"Redis pub/sub: {clients:N0} idle subscribers, RSS per connection", !HasRedis || Options.ReferenceRedisPid <= 0 ? RedisSkipReason : null) is not { } result)
        {
            return;
        }

        long before = ProcStats.RssBytes(Options.ReferenceRedisPid);
        using ReferenceProcess client = ReferenceProcess.Start(Client, "-p", P(Options.ReferenceRedisPort), "-R", Channel + "_idle", "-n", P(clients), "-m", "1", "-s", "64", "-t", "20");
        try
        {
            await client.WaitForLineAsync(l => l.StartsWith("client: all", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            await Task.Delay(1000);
            long after = ProcStats.RssBytes(Options.ReferenceRedisPid);
            result.Values["rss_before_mib"] = before / 1048576.0;
            result.Values["rss_after_mib"] = after / 1048576.0;
            result.Values["bytes_per_connection"] = (double)(after - before) / clients;
            context.Progress.Info($"{(after - before) / 1024.0 / clients:F1} KiB per subscriber");
        }
        catch (TimeoutException)
        {
            result.Skipped = "the subscribers did not all subscribe in 60 s: " + string.Join(" | ", client.Lines.TakeLast(3));
        }
        finally
        {
            client.Kill();
        }

        // Redis frees the clients' buffers when they go; give it a moment before the next run.
        await using RespConnection redis = await RespConnection.ConnectAsync(Options.ReferenceRedisPort, CancellationToken.None);
        long deadline = Environment.TickCount64 + 10_000;
        while (Environment.TickCount64 < deadline)
        {
            RespValue count = await redis.ExecuteAsync("PUBSUB", "NUMSUB", Channel + "_idle");
            if (count.Items is [_, { Integer: 0 }])
            {
                break;
            }

            await Task.Delay(100);
        }
    }

    private static void Collect(Measurement result, ReferenceProcess client, int exit)
    {
        if (client.ParseLine("CLIENT") is not { } values)
        {
            result.Skipped = $"no CLIENT line (exit {exit}): " + string.Join(" | ", client.Lines.TakeLast(3));
            return;
        }

        foreach (var (key, value) in values)
        {
            result.Values[key] = value;
        }

        // The C client is not this process: its CPU is its own line's, not "others'".
        double clientCpu = values.GetValueOrDefault("cpu_user_s") + values.GetValueOrDefault("cpu_sys_s");
        result.Values["bench_cpu_s"] = clientCpu;
        if (result.Values.TryGetValue("other_cpu_s", out double other))
        {
            result.Values["other_cpu_s"] = Math.Max(0, other - clientCpu);
        }

        // The C client prints microseconds; the report speaks milliseconds, like ours.
        foreach (string p in new[] { "p50", "p90", "p99", "p999", "max" })
        {
            if (values.TryGetValue($"lat_{p}_us", out double micros))
            {
                result.Values[$"lat_{p}_ms"] = micros / 1000;
            }
        }

        if (values.TryGetValue("deliveries", out double deliveries) && values.TryGetValue("expected", out double expected) && expected > 0)
        {
            result.Values["delivered_fraction"] = deliveries / expected;
            if (deliveries < expected)
            {
                result.Notes.Add($"delivered {deliveries:N0} of {expected:N0} (exit {exit})");
            }
        }
    }

    /// <summary>The C server's own line; its CPU comes from there, since it may have exited before /proc was read.</summary>
    private static void CollectServer(Measurement result, ReferenceProcess server)
    {
        if (server.ParseLine("SERVER") is not { } values)
        {
            return;
        }

        foreach (var (key, value) in values)
        {
            result.Values["server_" + key] = value;
        }

        double cpu = values.GetValueOrDefault("cpu_user_s") + values.GetValueOrDefault("cpu_sys_s");
        if (!result.Values.ContainsKey("server_cpu_s") && result.Values.TryGetValue("other_cpu_s", out double other))
        {
            result.Values["other_cpu_s"] = Math.Max(0, other - cpu);
        }

        result.Values["server_cpu_s"] = cpu;
    }

    private void Report(Measurement result)
    {
        if (result.Skipped is not null)
        {
            context.Progress.Info("failed: " + result.Skipped);
            return;
        }

        context.Progress.Info($"{result.Get("deliveries_per_s") / 1e6:F3} M deliveries/s, p50 {result.Get("lat_p50_ms"):F2} ms, p99 {result.Get("lat_p99_ms"):F2} ms" +
            (result.Get("bytes_per_connection") is double b ? $", {b:F0} B RSS per connection" : string.Empty) +
            (result.Get("connect_s") is double c ? $", connected in {c:F2} s" : string.Empty));
    }

    private static string P(long value) => value.ToString(CultureInfo.InvariantCulture);
}
