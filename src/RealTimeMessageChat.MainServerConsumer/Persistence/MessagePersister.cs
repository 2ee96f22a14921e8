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
/// log's notifications (gathered for <see cref="CoalesceDelay"/>) and otherwise polling every
/// <c>persist_interval_ms</c>. After each committed
/// batch, and every few seconds for idle rooms (the age bound), Redis is trimmed behind the cursor:
/// never past what PostgreSQL holds, so Redis and PostgreSQL together are one log (issue 7).
/// </summary>
/// <remarks>
/// A failure backs off and retries the same range: the cursor only moves after a batch is stored,
/// and the store ignores rows it already has, so every message lands exactly once, also after a
/// kill -9 anywhere (a batch is one statement: committed whole or not at all; a restart begins at
/// PostgreSQL's highest seq, which Redis still holds because trimming follows the commit). Running
/// several consumers is safe for the same reason.
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

    // After a wake-up, wait this long before the pass: under load every appended batch wakes the
    // persister, and a pass per batch cost a PostgreSQL transaction, a trim script and a handful of
    // Redis reads per ~20 messages (about 45 µs of PostgreSQL CPU per message at 4,000 msg/s, bench
    // 2026-12-02). Gathered, a pass covers every batch of the interval. Delivery never waits on it.
    internal static readonly TimeSpan CoalesceDelay = TimeSpan.FromMilliseconds(50);

    // A room that got nothing new is still trimmed this often, so the age bound applies to it too.
    private static readonly TimeSpan IdleTrimInterval = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, long> _cursors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _trimmedAt = new(StringComparer.Ordinal);
    private readonly HashSet<string> _lagging = new(StringComparer.Ordinal);
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
                await UpdateLagAsync(o.PersistLagWarnMessages, stoppingToken);
                backoff = InitialBackoff;
                if (await WaitForWakeAsync(interval, stoppingToken))
                {
                    await Task.Delay(CoalesceDelay, timeProvider, stoppingToken);
                }
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
                    // PostgreSQL away: Redis keeps growing, and the lag says by how much.
                    await TryUpdateLagAsync(o.PersistLagWarnMessages, stoppingToken);
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

            bool stored = false;
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
                messageLog.RaiseSequenceFloor(room, cursor);
                total += batch.Count;
                LogPersisted(logger, batch.Count, inserted, room, cursor);

                // Only now, with the batch committed, may what it covers leave Redis.
                await TrimAsync(room, cursor, cancellationToken);
                stored = true;
                if (batch.Count < batchSize)
                {
                    break;
                }
            }

            if (!stored && timeProvider.GetElapsedTime(_trimmedAt.GetValueOrDefault(room)) >= IdleTrimInterval)
            {
                await TrimAsync(room, cursor, cancellationToken);
            }
        }

        return total;
    }

    /// <summary>
    /// Sets each room's persist lag (newest seq in Redis minus the cursor, the newest in PostgreSQL)
    /// and logs, once each, when it passes <paramref name="warnAt"/> and when it is back to half of it.
    /// </summary>
    internal async Task UpdateLagAsync(int warnAt, CancellationToken cancellationToken)
    {
        foreach (var (room, persisted) in _cursors)
        {
            long newest = await messageLog.GetLastSeqAsync(room, cancellationToken);
            long lag = Math.Max(0, newest - persisted);
            metrics.SetPersistLag(room, lag);
            if (lag > warnAt && _lagging.Add(room))
            {
                LogLagOverBound(logger, room, lag, warnAt);
            }
            else if (lag <= warnAt / 2 && _lagging.Remove(room))
            {
                LogLagRecovered(logger, room, lag);
            }
        }
    }

    private async Task TryUpdateLagAsync(int warnAt, CancellationToken cancellationToken)
    {
        try
        {
            await UpdateLagAsync(warnAt, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Redis is away too: the lag keeps its last value until it answers.
            LogLagUnknown(logger, ex.Message);
        }
    }

    private async Task TrimAsync(string room, long persistedSeq, CancellationToken cancellationToken)
    {
        long removed = await messageLog.TrimPersistedAsync(room, persistedSeq, cancellationToken);
        _trimmedAt[room] = timeProvider.GetTimestamp();
        if (removed > 0)
        {
            metrics.Trimmed.Add(removed);
            LogTrimmed(logger, removed, room, persistedSeq);
        }
    }

    /// <summary>Waits for a wake-up or the poll interval; true when woken.</summary>
    private async Task<bool> WaitForWakeAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        if (_wake.Reader.TryRead(out _))
        {
            return true;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(interval);
        try
        {
            await _wake.Reader.WaitToReadAsync(timeout.Token);
            _wake.Reader.TryRead(out _);
            return true;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The poll interval elapsed without a wake-up.
            return false;
        }
    }
}
