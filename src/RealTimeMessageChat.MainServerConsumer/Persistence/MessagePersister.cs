using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServerConsumer.Observability;
using RealTimeMessageChat.MainServerConsumer.Options;

namespace RealTimeMessageChat.MainServerConsumer.Persistence;

/// <summary>
/// Copies the Redis message log into PostgreSQL behind delivery, so broadcasting never waits on
/// the database. One cursor per room, starting at the highest seq PostgreSQL holds; woken by the
/// log's notifications and otherwise polling every <c>persist_interval_ms</c>.
/// </summary>
/// <remarks>
/// A failure backs off and retries the same range: the cursor only moves after a batch is stored,
/// and the store ignores rows it already has, so every message lands exactly once. Running several
/// consumers is safe for the same reason.
/// </remarks>
internal sealed partial class MessagePersister(
    IMessageLog messageLog,
    IMessageStore store,
    IOptions<ConsumerOptions> options,
    ConsumerMetrics metrics,
    TimeProvider timeProvider,
    ILogger<MessagePersister> logger) : BackgroundService
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, long> _cursors = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ConsumerOptions o = options.Value;
        TimeSpan interval = TimeSpan.FromMilliseconds(o.PersistIntervalMs);
        TimeSpan backoff = InitialBackoff;
        bool subscribed = false;
        LogStarted(logger, o.PersistBatchSize, o.PersistIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!subscribed)
                {
                    await messageLog.SubscribeAsync(_ => _wake.Writer.TryWrite(true), stoppingToken);
                    subscribed = true;
                }

                await PersistAllAsync(o.PersistBatchSize, stoppingToken);
                backoff = InitialBackoff;
                await WaitForWakeAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                metrics.PersistFailures.Add(1);
                LogPersistFailed(logger, backoff.TotalMilliseconds, ex);
                try
                {
                    await Task.Delay(backoff, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        LogStopped(logger);
    }

    /// <summary>Copies everything new in every room; returns how many messages were read from the log.</summary>
    internal async Task<int> PersistAllAsync(int batchSize, CancellationToken cancellationToken)
    {
        int total = 0;
        foreach (string room in await messageLog.GetRoomsAsync(cancellationToken))
        {
            if (!_cursors.TryGetValue(room, out long cursor))
            {
                cursor = await store.GetPersistedSeqAsync(room, cancellationToken);
                _cursors[room] = cursor;
            }

            while (true)
            {
                IReadOnlyList<ChatMessage> batch = await messageLog.ReadAfterAsync(room, cursor, batchSize, cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                if (batch[0].Seq != cursor + 1)
                {
                    // Trimmed from Redis before it reached PostgreSQL (the database was away for longer
                    // than the stream's retention): nothing left to copy from.
                    LogGap(logger, room, cursor + 1, batch[0].Seq - 1);
                }

                int inserted = await store.SaveBatchAsync(batch, cancellationToken);
                metrics.Persisted.Add(inserted);
                cursor = batch[^1].Seq;
                _cursors[room] = cursor;
                total += batch.Count;
                LogPersisted(logger, batch.Count, inserted, room, cursor);
                if (batch.Count < batchSize)
                {
                    break;
                }
            }
        }

        return total;
    }

    private async Task WaitForWakeAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        if (_wake.Reader.TryRead(out _))
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(interval);
        try
        {
            await _wake.Reader.WaitToReadAsync(timeout.Token);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The poll interval elapsed without a wake-up.
        }
    }
}
