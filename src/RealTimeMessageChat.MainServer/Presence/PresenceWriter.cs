using System.Threading.Channels;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServer.Presence;

/// <summary>
/// Presence writes off the handshake's critical path: connections queue them, one loop issues
/// whatever has queued as one pipelined batch (started in order, so a session's online precedes
/// its offline on the wire) and awaits the batch. Presence is advisory: a failure is logged and
/// never costs a client its connection. On stop it drains what is queued, for a bounded time.
/// </summary>
internal sealed partial class PresenceWriter(IPresenceStore store, ILogger<PresenceWriter> logger) : BackgroundService
{
    private const int MaxBatch = 512;
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<PresenceUpdate> _queue = Channel.CreateUnbounded<PresenceUpdate>(new UnboundedChannelOptions { SingleReader = true });

    private enum Kind
    {
        Online,
        Offline,
        Status,
    }

    /// <summary>Name recorded for this process; set by the listener once its port is known.</summary>
    public string ServerId { get; set; } = Environment.MachineName;

    public void Online(string userId, string sessionId) => _queue.Writer.TryWrite(new PresenceUpdate(Kind.Online, userId, sessionId));

    public void Offline(string userId, string sessionId) => _queue.Writer.TryWrite(new PresenceUpdate(Kind.Offline, userId, sessionId));

    public void Status(string userId, string status) => _queue.Writer.TryWrite(new PresenceUpdate(Kind.Status, userId, status));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stopped after the listener (registered first), so every connection has queued its offline.
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(WriteTimeout + WriteTimeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Task>(MaxBatch);
        ChannelReader<PresenceUpdate> reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            using var timeout = new CancellationTokenSource(WriteTimeout);
            while (batch.Count < MaxBatch && reader.TryRead(out PresenceUpdate update))
            {
                batch.Add(WriteAsync(update, timeout.Token));
            }

            await Task.WhenAll(batch);
            batch.Clear();
        }
    }

    private async Task WriteAsync(PresenceUpdate update, CancellationToken cancellationToken)
    {
        try
        {
            Task write = update.Kind switch
            {
                Kind.Online => store.SetOnlineAsync(update.UserId, ServerId, update.Value, cancellationToken),
                Kind.Offline => store.SetOfflineAsync(update.UserId, update.Value, cancellationToken),
                _ => store.SetStatusAsync(update.UserId, update.Value, cancellationToken),
            };
            await write;
        }
        catch (Exception ex)
        {
            LogPresenceFailed(logger, ex, update.UserId, update.Kind.ToString());
        }
    }

    private readonly record struct PresenceUpdate(Kind Kind, string UserId, string Value);

    [LoggerMessage(EventId = 2500, Level = LogLevel.Warning, Message = "Presence update ({What}) for {UserId} failed; the connection continues")]
    private static partial void LogPresenceFailed(ILogger logger, Exception exception, string userId, string what);
}
