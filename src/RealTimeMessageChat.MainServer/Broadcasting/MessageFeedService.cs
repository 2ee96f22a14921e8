using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Polly;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Options;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>
/// Follows the Redis stream of every room in <see cref="RoomDirectory.Rooms"/> (the global room,
/// and the rooms this server's clients are in) with cursors of its own (nothing is popped, so several
/// MainServers each see every message; a room's cursor is its ring's head). A wake-up names its
/// room: only the named rooms are read; the global room also every <c>poll_interval_ms</c> without
/// a wake-up, every followed room once a second; a room not followed is never read. Each batch read is
/// encoded once per message into the room's <see cref="FrameRing"/>, then the room's subscribers
/// are woken once for the whole batch (<see cref="Broadcaster.Wake"/>). Wakes on the pub/sub hint or every <c>poll_interval_ms</c>. A Redis
/// error keeps the cursors and retries the pass in place (<see cref="MessageLogRetry"/>): a message
/// is never skipped, and delivery resumes within about a second of Redis answering again.
/// </summary>
internal sealed partial class MessageFeedService(
    IMessageLog messageLog,
    RoomDirectory rooms,
    Broadcaster broadcaster,
    IFrameCodec codec,
    MainServerMetrics metrics,
    IOptions<MainServerOptions> options,
    ILogger<MessageFeedService> logger) : BackgroundService
{
    // Capacity 1, DropWrite: a pending wake-up already covers every later hint.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    // Every failure is retried: the pass resumes from the cursors, so nothing is skipped or repeated.
    private readonly ResiliencePipeline _retry = MessageLogRetry.Create(
        messageLog,
        _ => true,
        args =>
        {
            LogRedisError(logger, args.Outcome.Exception, args.RetryDelay.TotalMilliseconds);
            return ValueTask.CompletedTask;
        });

    private bool _subscribed;
    private long _lastFullPass;

    // The rooms of one pass; the feed is one loop, so one list serves every pass without an allocation.
    private readonly List<Room> _due = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        MainServerOptions o = options.Value;
        TimeSpan poll = TimeSpan.FromMilliseconds(o.PollIntervalMilliseconds);
        long fullPassMs = Math.Max(1_000, o.PollIntervalMilliseconds);
        _lastFullPass = Environment.TickCount64 - fullPassMs;
        rooms.Followed += _ => _wake.Writer.TryWrite(true);
        try
        {
            await _retry.ExecuteAsync(async ct => await InitializeCursorsAsync(ct), stoppingToken);
            rooms.MarkReady();
            LogFeedStarted(logger, rooms.Rooms.Length, rooms.Head(RoomDirectory.GlobalRoom));

            bool woken = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                // The global room is read on every poll without a wake-up, as before rooms; the
                // other rooms once a second, so a lost hint (pub/sub away) costs at most a second
                // and an idle server costs one read per followed room per second, not ten.
                bool allRooms = Environment.TickCount64 - _lastFullPass >= fullPassMs;
                List<Room> due = DueRooms(allRooms, globalToo: !woken);
                await _retry.ExecuteAsync(
                    async ct =>
                    {
                        await EnsureSubscribedAsync(ct);
                        await DrainRoomsAsync(due, o.ReplayBatchSize, ct);
                    },
                    stoppingToken);
                woken = await WaitForWakeAsync(poll, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        LogFeedStopped(logger);
    }

    /// <summary>The rooms this pass reads; each one's pending flag is cleared before it is read, so a hint during the read brings another pass.</summary>
    private List<Room> DueRooms(bool allRooms, bool globalToo)
    {
        if (allRooms)
        {
            _lastFullPass = Environment.TickCount64;
        }

        List<Room> due = _due;
        due.Clear();
        foreach (Room room in rooms.Rooms)
        {
            if (Interlocked.Exchange(ref room.WakePending, 0) == 1 || allRooms || (globalToo && room.Name.Length == 0))
            {
                due.Add(room);
            }
        }

        return due;
    }

    private async Task InitializeCursorsAsync(CancellationToken cancellationToken)
    {
        // Start at the global room's newest seq: this server broadcasts what arrives from now on;
        // clients that want older messages ask with last_seq and catch up from the log. Other rooms
        // are followed when a client of this server subscribes to one (RoomDirectory.SubscribeAsync).
        rooms.GetOrAdd(RoomDirectory.GlobalRoom, await messageLog.GetLastSeqAsync(RoomDirectory.GlobalRoom, cancellationToken));
    }

    private async Task EnsureSubscribedAsync(CancellationToken cancellationToken)
    {
        if (_subscribed)
        {
            return;
        }

        await messageLog.SubscribeAsync(OnAppended, cancellationToken);
        _subscribed = true;
    }

    private void OnAppended(string room)
    {
        if (!rooms.TryGet(room, out Room? followed))
        {
            // No client of this server is in the room: nothing of it is read.
            metrics.WakeIgnored();
            return;
        }

        Volatile.Write(ref followed.WakePending, 1);
        _wake.Writer.TryWrite(true);
    }

    private async Task DrainRoomsAsync(List<Room> due, int batchSize, CancellationToken cancellationToken)
    {
        foreach (Room room in due)
        {
            FrameRing ring = room.Ring;
            while (true)
            {
                long cursor = ring.Head;
                IReadOnlyList<ChatMessage> batch = await messageLog.ReadAfterAsync(room.Name, cursor, batchSize, cancellationToken);
                metrics.FeedRead();
                long now = Environment.TickCount64;
                int appended = 0;
                foreach (ChatMessage message in batch)
                {
                    if (message.Seq <= cursor)
                    {
                        continue;
                    }

                    if (message.Seq != cursor + 1)
                    {
                        // Retention trimmed what this server had not read yet (it was down or far behind).
                        LogFeedGap(logger, room.Name, cursor, message.Seq);
                    }

                    byte[] frame;
                    try
                    {
                        frame = BroadcastFrameEncoder.Encode(message, codec);
                    }
                    catch (ArgumentOutOfRangeException)
                    {
                        // An empty entry keeps the seq without a gap, so no client goes to Redis for it.
                        LogMessageTooLarge(logger, room.Name, message.Seq, message.MessageId);
                        frame = [];
                    }

                    ring.TryAppend(message.Seq, frame, now);
                    cursor = message.Seq;
                    appended++;
                }

                if (appended > 0)
                {
                    broadcaster.Wake(room, appended);
                }

                if (batch.Count < batchSize)
                {
                    break;
                }
            }
        }
    }

    /// <summary>True when a wake-up came, false when <paramref name="poll"/> passed without one.</summary>
    private async Task<bool> WaitForWakeAsync(TimeSpan poll, CancellationToken stoppingToken)
    {
        if (_wake.Reader.TryRead(out _))
        {
            return true;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(poll);
        try
        {
            await _wake.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }

        return _wake.Reader.TryRead(out _);
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "Message feed started: following {RoomCount} rooms, global room at seq {GlobalSeq}")]
    private static partial void LogFeedStarted(ILogger logger, int roomCount, long globalSeq);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Message feed stopped")]
    private static partial void LogFeedStopped(ILogger logger);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "Redis error in the message feed; retrying in {BackoffMs} ms with cursors kept")]
    private static partial void LogRedisError(ILogger logger, Exception? exception, double backoffMs);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Warning, Message = "Room {Room}: feed at seq {Cursor} but the oldest retained message is seq {Seq}; the messages between are only in PostgreSQL")]
    private static partial void LogFeedGap(ILogger logger, string room, long cursor, long seq);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Error, Message = "Room {Room} seq {Seq} (message {MessageId}) does not fit in one frame (max_frame_bytes); not broadcast")]
    private static partial void LogMessageTooLarge(ILogger logger, string room, long seq, Guid messageId);
}
