using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Delivery;
using RealTimeMessageChat.MainServer.Options;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Presence;

/// <summary>
/// Broadcasts the presence changes every server announces (this one included) to this server's
/// clients as <c>user_status</c> frames. Changes are collected for <c>presence_broadcast_window_ms</c>
/// and only each user's newest is kept; the window's frames are encoded once, packed back to back
/// into entries of up to <see cref="EntryBytes"/>, and appended to the directory's presence ring,
/// which every client follows like a room: one shared buffer per window, one segment per client
/// per entry in its gathered send, the slow-client rules of broadcasts. So a burst of N connects
/// costs N encodings and about N/600 ring entries, not N frames per client encoded one by one.
/// </summary>
internal sealed partial class PresenceFeed(
    IPresenceStore store,
    RoomDirectory rooms,
    IFrameCodec codec,
    MainServerMetrics metrics,
    IOptions<MainServerOptions> options,
    ILogger<PresenceFeed> logger) : BackgroundService
{
    /// <summary>Bytes of frames per ring entry: a window of thousands of changes is a few entries, each well under <c>max_backlog_bytes</c>.</summary>
    public const int EntryBytes = 64 * 1024;

    /// <summary>How long the newest time sent per user is remembered, to drop a change that arrives after a newer one.</summary>
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(2);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Lock _gate = new();
    private Dictionary<string, PresenceChange> _pending = new(StringComparer.Ordinal);
    private Dictionary<string, PresenceChange> _spare = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastSent = new(StringComparer.Ordinal);
    private DateTimeOffset _lastPrune = DateTimeOffset.UtcNow;

    /// <summary>Collects changes (the Redis subscriber's thread); the newest per user wins.</summary>
    public void OnChanges(IReadOnlyList<PresenceChange> changes)
    {
        lock (_gate)
        {
            foreach (PresenceChange change in changes)
            {
                if (!_pending.TryGetValue(change.UserId, out PresenceChange? known) || known.At <= change.At)
                {
                    _pending[change.UserId] = change;
                }
            }
        }

        _wake.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        MainServerOptions o = options.Value;
        if (!o.PresenceBroadcast)
        {
            return;
        }

        TimeSpan window = TimeSpan.FromMilliseconds(o.PresenceBroadcastWindowMilliseconds);
        try
        {
            await SubscribeAsync(stoppingToken);
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                // The first change of a window opens it; everything until it closes goes out together.
                await Task.Delay(window, stoppingToken);
                _wake.Reader.TryRead(out _);
                Dictionary<string, PresenceChange> batch;
                lock (_gate)
                {
                    batch = _pending;
                    _pending = _spare;
                }

                Publish(batch);
                batch.Clear();
                _spare = batch;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SubscribeAsync(CancellationToken stoppingToken)
    {
        TimeSpan backoff = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await store.SubscribeAsync(OnChanges, stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSubscribeFailed(logger, ex, backoff.TotalMilliseconds);
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>Encodes a window's frames once and appends them to the presence ring (this loop is its one writer).</summary>
    private void Publish(Dictionary<string, PresenceChange> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        PruneLastSent();
        Room room = rooms.Presence;
        FrameRing ring = room.Ring;
        long now = Environment.TickCount64;
        int appended = 0;
        int frames = 0;
        using var entry = new MemoryStream(Math.Min(EntryBytes, batch.Count * 96));
        foreach (PresenceChange change in batch.Values.OrderBy(c => c.At))
        {
            if (_lastSent.TryGetValue(change.UserId, out DateTimeOffset sent) && sent > change.At)
            {
                // Older than what clients already have (servers' batches may arrive in any order).
                continue;
            }

            _lastSent[change.UserId] = change.At;
            byte[] frame;
            try
            {
                frame = codec.Encode(TcpFrameJson.Serialize(ToFrame(change), ContractsJsonContext.Default.UserStatusFrame));
            }
            catch (ArgumentOutOfRangeException)
            {
                // A status text the frame limit cannot carry: the change goes out without it.
                frame = codec.Encode(TcpFrameJson.Serialize(ToFrame(change with { Text = null }), ContractsJsonContext.Default.UserStatusFrame));
            }

            if (entry.Length > 0 && entry.Length + frame.Length > EntryBytes)
            {
                appended += Append(ring, entry, now);
            }

            entry.Write(frame);
            frames++;
        }

        if (entry.Length > 0)
        {
            appended += Append(ring, entry, now);
        }

        if (appended == 0)
        {
            return;
        }

        // As Broadcaster.Wake, but counted apart: these are not chat broadcasts.
        long subscribers = 0;
        foreach (Subscription? subscription in room.Subscribers.Items)
        {
            if (subscription is not null)
            {
                subscription.Delivery.OnAppended(subscription, now);
                subscribers++;
            }
        }

        metrics.PresenceBroadcast(frames, appended, frames * subscribers);
        LogBroadcast(logger, frames, appended, subscribers);
    }

    private static int Append(FrameRing ring, MemoryStream entry, long now)
    {
        ring.TryAppend(ring.Head + 1, entry.ToArray(), now);
        entry.SetLength(0);
        return 1;
    }

    private static UserStatusFrame ToFrame(PresenceChange change) => new()
    {
        Id = change.UserId,
        Status = change.Kind == PresenceChangeKind.Offline ? UserStatusFrame.OfflineStatus : UserStatusFrame.OnlineStatus,
        Text = change.Kind == PresenceChangeKind.Offline || string.IsNullOrEmpty(change.Text) ? null : change.Text,
        At = change.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };

    private void PruneLastSent()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (now - _lastPrune < Memory)
        {
            return;
        }

        _lastPrune = now;
        foreach (var (user, at) in _lastSent)
        {
            if (now - at > Memory)
            {
                _lastSent.Remove(user);
            }
        }
    }

    [LoggerMessage(EventId = 2530, Level = LogLevel.Warning, Message = "Presence: subscribing to status events failed; retrying in {BackoffMs} ms")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, double backoffMs);

    [LoggerMessage(EventId = 2531, Level = LogLevel.Debug, Message = "Presence: {Frames} user_status frames in {Entries} shared entries to {Subscribers} clients")]
    private static partial void LogBroadcast(ILogger logger, int frames, int entries, long subscribers);
}
