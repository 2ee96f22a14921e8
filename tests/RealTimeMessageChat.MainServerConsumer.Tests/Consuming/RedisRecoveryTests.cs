using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using RealTimeMessageChat.MainServerConsumer.Consuming;
using RealTimeMessageChat.MainServerConsumer.Observability;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Consuming;

/// <summary>
/// Issue 9, defect 4: the consumer's appends stop while Redis is away and resume soon after it
/// answers again, with nothing lost, duplicated or reordered. Against a redis-server of the test's
/// own, so killing or pausing it disturbs no other test. The timing is reported and bounded
/// loosely (shared two-core machines); the assertions are on what was stored.
/// </summary>
[Collection(RealServicesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RedisRecoveryTests(TestServicesFixture services)
{
    private const int BatchSize = 16;
    private const string Room = "recovery";

    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ProcessAsync_RedisKilledAndRestarted_ResumesAfterRestartWithoutLossOrReorder()
    {
        await RunAcrossFaultAsync(async (redis, ct) =>
        {
            redis.Kill();
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            await redis.RestartAsync(ct);
            return Stopwatch.GetTimestamp();
        });
    }

    [Fact]
    public async Task ProcessAsync_RedisPausedLongerThanTheCommandTimeout_ResumesAfterPauseWithoutLossOrReorder()
    {
        // Longer than the 5 s command timeout: the client gives up on calls Redis later runs, so the
        // retry meets them as duplicates.
        const int PauseMs = 6_000;
        await RunAcrossFaultAsync(async (redis, ct) =>
        {
            Assert.Equal("+OK", await redis.CommandAsync($"CLIENT PAUSE {PauseMs} ALL", ct));
            long pausedAt = Stopwatch.GetTimestamp();
            await Task.Delay(PauseMs, ct);
            return pausedAt + (PauseMs * Stopwatch.Frequency / 1000);
        });
    }

    /// <summary>
    /// Appends batch after batch as the consumer does while <paramref name="fault"/> runs (it
    /// returns when Redis answers again), then checks the stream holds every message once, in order.
    /// </summary>
    private async Task RunAcrossFaultAsync(Func<PrivateRedisServer, CancellationToken, Task<long>> fault)
    {
        // A redis-server of this test's own; the rule for missing servers is the fixture's.
        services.Require();
        using var cts = TestTimeouts.Create(TimeSpan.FromSeconds(60));
        CancellationToken ct = cts.Token;
        await using PrivateRedisServer redis = await PrivateRedisServer.StartAsync(ct);
        var options = new RedisOptions { Host = "127.0.0.1", Port = redis.Port, DedupeTtlSeconds = 600, StreamMaxLength = 100_000 };
        await using RedisConnectionProvider provider = RealServiceOptions.CreateRedisProvider(options);
        var log = new RedisMessageLog(provider, NullLogger<RedisMessageLog>.Instance);
        var settler = new FakeSettler();
        using var meters = new TestMeterFactory();
        var metrics = new ConsumerMetrics(meters);
        var processor = new BatchProcessor(log, TestOptions.Validator(), settler, metrics, TimeProvider.System, NullLogger<BatchProcessor>.Instance);

        var completions = new List<long>();
        int batches = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task producer = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    int first = (Done() * BatchSize) + 1;
                    Delivery[] batch = [.. Enumerable.Range(first, BatchSize).Select(n =>
                        new Delivery((ulong)n, Messages.Bytes(Messages.Body($"m{n}", subId: Room)), false, settler))];
                    await processor.ProcessAsync(batch, ct);
                    lock (completions)
                    {
                        completions.Add(Stopwatch.GetTimestamp());
                        batches++;
                    }
                }
            },
            ct);

        int Done()
        {
            lock (completions)
            {
                return batches;
            }
        }

        await WaitForBatchesAsync(Done, 10, ct);
        long answeringAt = await fault(redis, ct);
        await WaitForBatchesAsync(Done, Done() + 10, ct);
        await stop.CancelAsync();
        await producer;

        long firstAfter;
        lock (completions)
        {
            firstAfter = completions.First(t => t > answeringAt);
        }

        TimeSpan resumedAfter = Stopwatch.GetElapsedTime(answeringAt, firstAfter);
        TestContext.Current.TestOutputHelper?.WriteLine($"{batches} batches of {BatchSize}; first batch completed {resumedAfter.TotalMilliseconds:F0} ms after Redis answered again; {settler.Events.Count} acks");
        int total = batches * BatchSize;
        IReadOnlyList<ChatMessage> stored = await log.ReadAfterAsync(Room, 0, total + 100, ct);
        Assert.Equal(Enumerable.Range(1, total).Select(n => $"m{n}"), stored.Select(m => m.Content));
        Assert.Equal(Enumerable.Range(1, total).Select(n => (long)n), stored.Select(m => m.Seq));
        Assert.Equal(total, await log.GetLastSeqAsync(Room, ct));
        Assert.Equal(Enumerable.Range(1, batches).Select(b => $"ack {b * BatchSize} multiple"), settler.Events);
        Assert.True(resumedAfter < ResumeBound, $"appends resumed {resumedAfter.TotalMilliseconds:F0} ms after Redis answered again");
    }

    private static async Task WaitForBatchesAsync(Func<int> batches, int count, CancellationToken cancellationToken)
    {
        while (batches() < count)
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
