using System.Diagnostics;
using System.Globalization;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using StackExchange.Redis;

// Our Redis stream workload against one StackExchange.Redis version (the one this build restored):
//   append-*   the consumer's step: a batch of 128 Lua appends (dedupe + INCR + XADD + SADD +
//              PUBLISH), every call issued before any is awaited, as RedisMessageLog does;
//   xrange-*   the MainServer feed's read: XRANGE of 512 entries after a seq, parsed into
//              ChatMessages by our StreamEntryParser; -c8 is eight such readers at once
//              (client catch-ups next to the feed).
// One line per scenario on stdout, tab-separated:
//   version scenario ops_per_s items_per_s p50_ms p99_ms
// (an op is one batch: 128 appends or one 512-entry read; items are messages).
//
// Usage: RedisClientBench [--seconds S] [--warmup S] [--database N]; Redis from RTMC_REDIS_HOST/PORT.
double seconds = 3, warmup = 1;
int database = 9;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--database": database = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"unknown argument '{args[i]}'");
    }
}

string host = Environment.GetEnvironmentVariable("RTMC_REDIS_HOST") is { Length: > 0 } h ? h : "127.0.0.1";
string port = Environment.GetEnvironmentVariable("RTMC_REDIS_PORT") ?? throw new InvalidOperationException("RTMC_REDIS_PORT is not set");
string version = typeof(IDatabase).Assembly
    .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
    .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().First().InformationalVersion.Split('+')[0];

var configuration = ConfigurationOptions.Parse($"{host}:{port}");
configuration.AbortOnConnectFail = true;
configuration.ClientName = "rtmc-bench";
await using ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
IDatabase db = multiplexer.GetDatabase(database);
string runId = Guid.NewGuid().ToString("N")[..8];
string prefix = "bench:" + runId;
string sender = "bench_" + runId;
var rooms = new List<string>();

try
{
    foreach (int size in new[] { 128, 1024 })
    {
        string content = new('x', size);
        string room = $"{prefix}:{size}";
        rooms.AddRange([room, room + ":read"]);
        await RunAsync($"append-{size}B", 128, 1, () => AppendBatchAsync(db, sender, room, content, 128));

        // Enough entries that reads spread over the stream rather than one cached range.
        const int Filled = 20_480;
        await FillAsync(db, sender, room + ":read", content, Filled);
        var random = new Random(42);
        Func<Task> read = () => ReadAsync(db, room + ":read", random.NextInt64(0, Filled - 512), 512);
        await RunAsync($"xrange-{size}B", 512, 1, read);
        await RunAsync($"xrange-{size}B-c8", 512, 8, read);
    }
}
finally
{
    var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
    foreach (string pattern in new[] { RedisKeys.Stream(prefix) + "*", $"dedupe:{sender}:*" })
    {
        var keys = new List<RedisKey>();
        await foreach (RedisKey key in server.KeysAsync(database, pattern, pageSize: 1000))
        {
            keys.Add(key);
        }

        foreach (RedisKey[] chunk in keys.Chunk(1000))
        {
            await db.KeyDeleteAsync(chunk);
        }
    }

    await db.SetRemoveAsync(RedisKeys.Rooms, [.. rooms.Select(r => (RedisValue)r)]);
}

async Task RunAsync(string scenario, int itemsPerOp, int concurrency, Func<Task> op)
{
    var latencies = new List<long>[concurrency];
    for (int w = 0; w < concurrency; w++)
    {
        latencies[w] = new List<long>(100_000);
    }

    long warmupEnd = Stopwatch.GetTimestamp() + (long)(warmup * Stopwatch.Frequency);
    long end = warmupEnd + (long)(seconds * Stopwatch.Frequency);
    long measuredStart = 0;
    async Task WorkerAsync(List<long> mine)
    {
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            if (start >= end)
            {
                return;
            }

            await op();
            if (start >= warmupEnd)
            {
                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        }
    }

    Task[] workers = new Task[concurrency];
    for (int w = 0; w < concurrency; w++)
    {
        List<long> mine = latencies[w];
        workers[w] = Task.Run(() => WorkerAsync(mine));
    }

    while (Stopwatch.GetTimestamp() < warmupEnd)
    {
        await Task.Delay(10);
    }

    measuredStart = Stopwatch.GetTimestamp();
    await Task.WhenAll(workers);
    double elapsed = (double)(Stopwatch.GetTimestamp() - measuredStart) / Stopwatch.Frequency;
    long[] all = [.. latencies.SelectMany(l => l)];
    Array.Sort(all);
    double ops = all.Length / elapsed;
    Console.WriteLine(string.Join('\t',
        version,
        scenario,
        ops.ToString("F1", CultureInfo.InvariantCulture),
        (ops * itemsPerOp).ToString("F0", CultureInfo.InvariantCulture),
        Ms(Percentile(all, 0.50)).ToString("F3", CultureInfo.InvariantCulture),
        Ms(Percentile(all, 0.99)).ToString("F3", CultureInfo.InvariantCulture)));
}

static long Percentile(long[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

static Task AppendBatchAsync(IDatabase db, string sender, string room, string content, int count)
{
    // As RedisMessageLog.AppendBatchAsync: issue all, then await all.
    var pending = new Task<RedisResult>[count];
    for (int i = 0; i < count; i++)
    {
        pending[i] = StartAppend(db, sender, room, content);
    }

    return Task.WhenAll(pending);
}

static Task<RedisResult> StartAppend(IDatabase db, string sender, string room, string content)
{
    var messageId = Guid.NewGuid();
    RedisKey[] keys = [RedisKeys.Dedupe(sender, messageId), RedisKeys.Sequence(room), RedisKeys.Stream(room), RedisKeys.Rooms];
    RedisValue[] values =
    [
        100_000, 600, room, RedisKeys.NotifyChannel, messageId.ToString("D"), sender, room,
        "send_broadcast_message", content, 2, "{}", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    ];
    return db.ScriptEvaluateAsync(RedisMessageLogScripts.Append, keys, values);
}

static async Task FillAsync(IDatabase db, string sender, string room, string content, int count)
{
    for (int done = 0; done < count; done += 512)
    {
        await AppendBatchAsync(db, sender, room, content, Math.Min(512, count - done));
    }
}

static async Task ReadAsync(IDatabase db, string room, long afterSeq, int count)
{
    StreamEntry[] entries = await db.StreamRangeAsync(RedisKeys.Stream(room), $"{afterSeq + 1}-0", "+", count);
    IReadOnlyList<ChatMessage> messages = StreamEntryParser.ParseRange(entries, room);
    if (messages.Count != count)
    {
        throw new InvalidOperationException($"read {messages.Count} of {count}");
    }
}
