using System.Threading.Channels;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServer.Presence;

/// <summary>
/// Writes presence changes to PostgreSQL (<c>is_online</c>, <c>last_seen_at</c>, <c>status</c>)
/// behind Redis, in batches of whatever queued while the last batch was written, so neither a
/// handshake nor Redis ever waits for PostgreSQL. A failed batch is kept and retried (1 s doubling
/// to 10 s) with what queued meanwhile; the repository keeps only each user's newest change, so
/// nothing is lost or reordered while PostgreSQL is away. On stop it drains for a bounded time.
/// </summary>
internal sealed partial class PresencePersister(IPresenceRepository repository, ILogger<PresencePersister> logger) : BackgroundService
{
    private const int MaxBatch = 4096;
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<PresenceChange> _queue = Channel.CreateUnbounded<PresenceChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abandon = new();

    public void Enqueue(IReadOnlyList<PresenceChange> changes)
    {
        foreach (PresenceChange change in changes)
        {
            _queue.Writer.TryWrite(change);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stopped after the writer (registered before it), so its last changes are queued.
        _queue.Writer.TryComplete();
        _abandon.CancelAfter(DrainTimeout);
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(DrainTimeout + WriteTimeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PresenceChange>();
        ChannelReader<PresenceChange> reader = _queue.Reader;
        TimeSpan backoff = TimeSpan.FromSeconds(1);
        bool failing = false;
        try
        {
            while (batch.Count > 0 || await reader.WaitToReadAsync(_abandon.Token))
            {
                while (batch.Count < MaxBatch && reader.TryRead(out PresenceChange? change))
                {
                    batch.Add(change);
                }

                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abandon.Token);
                    timeout.CancelAfter(WriteTimeout);
                    await repository.ApplyAsync(batch, timeout.Token);
                    LogWritten(logger, batch.Count);
                    batch.Clear();
                    backoff = TimeSpan.FromSeconds(1);
                    if (failing)
                    {
                        failing = false;
                        LogRecovered(logger);
                    }
                }
                catch (Exception ex) when (!_abandon.IsCancellationRequested)
                {
                    if (!failing)
                    {
                        failing = true;
                        LogFailed(logger, ex, batch.Count);
                    }

                    await Task.Delay(backoff, _abandon.Token);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            LogAbandoned(logger, batch.Count + reader.Count);
        }
    }

    [LoggerMessage(EventId = 2520, Level = LogLevel.Debug, Message = "Presence: {Count} changes written to PostgreSQL")]
    private static partial void LogWritten(ILogger logger, int count);

    [LoggerMessage(EventId = 2521, Level = LogLevel.Warning, Message = "Presence: writing {Count} changes to PostgreSQL failed; retrying with backoff")]
    private static partial void LogFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 2522, Level = LogLevel.Information, Message = "Presence: PostgreSQL writes recovered")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(EventId = 2523, Level = LogLevel.Warning, Message = "Presence: stopped with {Count} changes not written to PostgreSQL")]
    private static partial void LogAbandoned(ILogger logger, int count);
}
