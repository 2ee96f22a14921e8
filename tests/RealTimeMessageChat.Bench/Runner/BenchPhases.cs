using RealTimeMessageChat.Bench.Broker;
using RealTimeMessageChat.Bench.Redis;
using RealTimeMessageChat.Bench.References;
using RealTimeMessageChat.Bench.Scenarios;

namespace RealTimeMessageChat.Bench.Runner;

/// <summary>
/// The scenarios of each phase, in order, with their full and --quick sizes. eng/bench.sh runs the
/// phases in turn and changes the system in between: <c>refs</c> before our apps start,
/// <c>pipeline</c> with every app up (a fresh MainServer first, for connect time and idle memory),
/// <c>fanout</c> with the consumer stopped, so only the MainServer follows the stream that the
/// bench appends to.
/// </summary>
internal static class BenchPhases
{
    public static readonly string[] Names = ["refs", "pipeline", "fanout"];

    /// <summary>How many scenarios the phase runs (for the progress counter).</summary>
    public static int Count(string phase, bool quick) => phase switch
    {
        "refs" => 17,
        "pipeline" => 6,
        "fanout" => 9,
        _ => 0,
    };

    public static async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        switch (context.Options.Phase)
        {
            case "refs":
                await RefsAsync(context);
                break;
            case "pipeline":
                await PipelineAsync(context, cancellationToken);
                break;
            case "fanout":
                await FanOutAsync(context, cancellationToken);
                break;
            default:
                throw new ArgumentException($"Unknown phase '{context.Options.Phase}' (expected {string.Join(", ", Names)} or report).");
        }
    }

    private static async Task RefsAsync(BenchContext context)
    {
        var refs = new FanOutReferences(context);
        bool quick = context.Quick;

        // Deliveries per flat-out run: enough for a couple of seconds at the speeds seen here.
        long cSmall = quick ? 10_000_000 : 60_000_000, cLarge = quick ? 3_000_000 : 12_000_000;
        long rSmall = quick ? 2_000_000 : 6_000_000, rLarge = quick ? 1_000_000 : 3_000_000;
        foreach (int n in new[] { 1_000, 10_000 })
        {
            await Run(context, $"c.max.n{n}.s128", () => refs.CMaxAsync(n, 128, cSmall));
            await Run(context, $"c.max.n{n}.s1024", () => refs.CMaxAsync(n, 1024, cLarge));
            await Run(context, $"redis.max.n{n}.s128", () => refs.RedisAsync(n, 128, rSmall));
            await Run(context, $"redis.max.n{n}.s1024", () => refs.RedisAsync(n, 1024, rLarge));
        }

        await Run(context, "calibrate.n1000.s128", () => refs.CalibrateAsync(1_000, 128, cSmall / 4));
        await Run(context, "calibrate.n1000.s1024", () => refs.CalibrateAsync(1_000, 1024, cLarge / 2));

        double paced = quick ? 3 : 10;
        await Run(context, "c.paced.n1000.r100", () => refs.CPacedAsync(1_000, 1024, 100, paced));
        await Run(context, "redis.paced.n1000.r100", () => refs.RedisAsync(1_000, 1024, 0, 100, paced));
        await Run(context, "c.paced.n1000.r1000", () => refs.CPacedAsync(1_000, 1024, 1_000, paced));
        await Run(context, "redis.paced.n1000.r1000", () => refs.RedisAsync(1_000, 1024, 0, 1_000, paced));
        await Run(context, "c.paced.n10000.r10", () => refs.CPacedAsync(10_000, 1024, 10, quick ? 5 : 20));
        await Run(context, "redis.paced.n10000.r10", () => refs.RedisAsync(10_000, 1024, 0, 10, quick ? 5 : 20));
        await Run(context, "redis.idle.n10000", () => refs.RedisIdleAsync(10_000));
    }

    private static async Task PipelineAsync(BenchContext context, CancellationToken cancellationToken)
    {
        await context.LoginAsync(cancellationToken);
        await using RespConnection redis = await RespConnection.ConnectAsync(context.Options.RedisPort, cancellationToken);
        var pipeline = new PipelineScenarios(context, redis);

        // First, while the MainServer has never had a client: idle memory (and connect time, once
        // cold and once warm). The POST rows on warm processes (a deployment runs for days; its first
        // seconds are JIT).
        await Run(context, "ours.connect.n10000", () => pipeline.ConnectAndIdleAsync(10_000, cancellationToken));
        if (new[] { "ours.post", "ours.pipeline" }.Any(IncludesAny(context)))
        {
            await Run(context, "warmup.publish", () => pipeline.WarmUpPublishAsync(context.Seconds(20, 16), cancellationToken), always: true);
        }

        await Run(context, "ours.post.n10000.r2", () => pipeline.PostToReceiveAsync(10_000, 2, context.Seconds(20, 6), cancellationToken));
        await Run(context, "ours.post.n1000.r20", () => pipeline.PostToReceiveAsync(1_000, 20, context.Seconds(20, 6), cancellationToken));
        await Run(context, "ours.pipeline.max", () => pipeline.ThroughputAsync(10, 64, context.Seconds(15, 5), cancellationToken));
        await Run(context, "ref.broker", () => BrokerAloneBench.RunAsync(context, context.Seconds(10, 4), cancellationToken));
    }

    private static async Task FanOutAsync(BenchContext context, CancellationToken cancellationToken)
    {
        await context.LoginAsync(cancellationToken);
        await using StreamAppender appender = await StreamAppender.CreateAsync(context.Options.RedisPort, context.Users[0].UserId, cancellationToken);
        var fanOut = new FanOutScenarios(context, appender);
        double max = context.Seconds(8, 3);
        await Run(context, "ours.max.n1000.s128", () => fanOut.MaxAsync(1_000, 128, max, cancellationToken));
        await Run(context, "ours.max.n1000.s1024", () => fanOut.MaxAsync(1_000, 1024, max, cancellationToken));
        await Run(context, "ours.paced.n1000.r100", () => fanOut.PacedAsync(1_000, 1024, 100, context.Seconds(20, 6), cancellationToken));
        await Run(context, "ours.paced.n1000.r1000", () => fanOut.PacedAsync(1_000, 1024, 1_000, context.Seconds(15, 3), cancellationToken));
        await Run(context, "ours.slow.n1000", () => fanOut.SlowClientsAsync(1_000, 1024, 100, context.Quick ? 8 : 30, cancellationToken));
        await Run(context, "ours.max.n10000.s128", () => fanOut.MaxAsync(10_000, 128, context.Seconds(10, 4), cancellationToken));
        await Run(context, "ours.max.n10000.s1024", () => fanOut.MaxAsync(10_000, 1024, context.Seconds(10, 3), cancellationToken));

        await Run(context, "ours.paced.n10000.r10", () => fanOut.PacedAsync(10_000, 1024, 10, context.Seconds(20, 5), cancellationToken));

        // Issue 10: the fan-out with 10 % of the clients on the C++ toolkit's framing (last: it reopens the pool).
        await Run(context, "ours.max.n1000.s1024.toolkit10", () => fanOut.MaxAsync(1_000, 1024, max, cancellationToken, toolkitEvery: 10));
    }

    /// <summary>Whether --only keeps any measurement whose id starts with the prefix.</summary>
    private static Func<string, bool> IncludesAny(BenchContext context) => prefix =>
        context.Options.Only.Count == 0 || context.Options.Only.Any(o => o.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(o, StringComparison.Ordinal));

    /// <summary>Runs one scenario unless --only leaves it out; a failure is recorded and the phase goes on.</summary>
    private static async Task Run(BenchContext context, string id, Func<Task> scenario, bool always = false)
    {
        if (!always && !context.Options.Includes(id))
        {
            return;
        }

        try
        {
            await scenario();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Report.Measurement failed = context.Results.LastOrDefault(m => m.Id == id) ?? context.Add(id, id);
            failed.Skipped = $"failed: {ex.GetType().Name}: {ex.Message}";
            context.Progress.Info($"{id} failed: {ex}");
        }
    }
}
