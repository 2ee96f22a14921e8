using System.Threading.Channels;
using Polly;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// Exactly-once, in-order delivery per room. Live frames come from the broadcaster; anything it
/// cannot queue in order (a gap, a client that asked for history, a slow client under the
/// catch_up policy) is read back from the message log by this connection's own catch-up task.
/// </summary>
internal sealed partial class ClientConnection
{
    private static readonly ResiliencePropertyKey<ClientConnection?> ConnectionKey = new("rtmc.connection");

    /// <summary>
    /// The catch-up retry, one for every connection (the factory holds it); the connection rides in
    /// the context. A closed outbound queue means the connection is ending: not something to retry.
    /// </summary>
    public static ResiliencePipeline CreateCatchUpRetry(IMessageLog messageLog) => MessageLogRetry.Create(
        messageLog,
        ex => ex is not ChannelClosedException,
        args =>
        {
            if (args.Context.Properties.GetValue(ConnectionKey, null) is { } connection)
            {
                LogCatchUpRedisError(connection._logger, args.Outcome.Exception, connection.Id, args.RetryDelay.TotalMilliseconds);
            }

            return ValueTask.CompletedTask;
        });

    private readonly Lock _deliveryLock = new();

    // Guarded by _deliveryLock: the last seq queued to this client, per room.
    private readonly Dictionary<string, long> _lastDelivered = new(StringComparer.Ordinal);
    private DeliveryState _state = DeliveryState.Handshaking;
    private Task _catchUpTask = Task.CompletedTask;

    private enum DeliveryState
    {
        Handshaking,
        CatchingUp,
        Live,
        Closed,
    }

    private Task CatchUpTask
    {
        get
        {
            lock (_deliveryLock)
            {
                return _catchUpTask;
            }
        }
    }

    /// <summary>Called by the broadcaster for every message, in seq order per room. Never blocks.</summary>
    public void Deliver(string room, long seq, byte[] frame)
    {
        lock (_deliveryLock)
        {
            if (_state is DeliveryState.Handshaking or DeliveryState.Closed)
            {
                return;
            }

            if (!_lastDelivered.TryGetValue(room, out long last))
            {
                // First message of a room this client has not seen: it starts live from here.
                last = seq - 1;
                _lastDelivered[room] = last;
            }

            if (seq <= last)
            {
                return;
            }

            if (_state != DeliveryState.Live)
            {
                // Catching up: the catch-up task reads this message from the log in order.
                return;
            }

            if (seq != last + 1)
            {
                LogDeliveryGap(_logger, Id, room, last, seq);
                StartCatchUpLocked();
                return;
            }

            if (_outbound.Writer.TryWrite(frame))
            {
                _lastDelivered[room] = seq;
                _services.Metrics.Delivered();
                return;
            }

            if (_catchUpWhenSlow)
            {
                StartCatchUpLocked();
                return;
            }

            _state = DeliveryState.Closed;
        }

        // The queue is full and the policy is to disconnect: never wait for a slow client.
        EvictSlow();
    }

    private void StartDelivery(string room, long lastDelivered)
    {
        lock (_deliveryLock)
        {
            if (_state != DeliveryState.Handshaking)
            {
                return;
            }

            _lastDelivered[room] = lastDelivered;

            // Even without last_seq a catch-up pass runs once: it closes the window in which the
            // feed broadcast a message before this connection was set up to receive it.
            StartCatchUpLocked();
        }
    }

    private void StartCatchUpLocked()
    {
        _state = DeliveryState.CatchingUp;
        _catchUpTask = Task.Run(CatchUpAsync);
    }

    private async Task CatchUpAsync()
    {
        CancellationToken cancellationToken = _cts.Token;
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ConnectionKey, this);
        try
        {
            while (true)
            {
                string[] rooms;
                lock (_deliveryLock)
                {
                    if (_state != DeliveryState.CatchingUp)
                    {
                        return;
                    }

                    rooms = [.. _lastDelivered.Keys];
                }

                // A failed pass is retried in place; each room resumes from what was queued.
                bool progressed = await _services.CatchUpRetry.ExecuteAsync(
                    static (ctx, state) => state.Connection.ReplayRoomsAsync(state.Rooms, ctx.CancellationToken),
                    context,
                    (Connection: this, Rooms: rooms));

                lock (_deliveryLock)
                {
                    if (_state != DeliveryState.CatchingUp)
                    {
                        return;
                    }

                    // The feed moves its cursor before it offers a message, so a cursor at or below
                    // our position means every later message will reach us through Deliver.
                    if (!IsBehindFeedLocked(_services.Cursors))
                    {
                        _state = DeliveryState.Live;
                        LogLive(_logger, Id);
                        return;
                    }
                }

                if (!progressed)
                {
                    // The feed has seen a seq the log did not give us yet; do not spin.
                    await Task.Delay(TimeSpan.FromMilliseconds(_options.PollIntervalMilliseconds), cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            LogLoopStopped(_logger, Id, "catch-up");
        }
        catch (Exception ex)
        {
            LogLoopFailed(_logger, ex, Id, "catch-up");
            Abort("catch-up failed");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<bool> ReplayRoomsAsync(string[] rooms, CancellationToken cancellationToken)
    {
        bool progressed = false;
        foreach (string room in rooms)
        {
            progressed |= await ReplayRoomAsync(room, cancellationToken);
        }

        return progressed;
    }

    private bool IsBehindFeedLocked(FeedCursors cursors)
    {
        foreach (var (room, last) in _lastDelivered)
        {
            if (cursors.Get(room) > last)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Queues every retained message of the room after our position; true when any was.</summary>
    private async Task<bool> ReplayRoomAsync(string room, CancellationToken cancellationToken)
    {
        int batchSize = _options.ReplayBatchSize;
        bool progressed = false;
        while (true)
        {
            long last;
            lock (_deliveryLock)
            {
                last = _lastDelivered[room];
            }

            IReadOnlyList<ChatMessage> batch = await _services.MessageLog.ReadAfterAsync(room, last, batchSize, cancellationToken);
            foreach (ChatMessage message in batch)
            {
                if (message.Seq <= last)
                {
                    continue;
                }

                if (message.Seq != last + 1)
                {
                    LogReplayBeyondRetention(_logger, Id, last, message.Seq);
                }

                byte[]? frame = null;
                try
                {
                    frame = BroadcastFrameEncoder.Encode(message, _codec);
                }
                catch (ArgumentOutOfRangeException)
                {
                    // Too large for a frame: the feed skipped it too.
                }

                if (frame is not null)
                {
                    await WriteReplayFrameAsync(frame, cancellationToken);
                    _services.Metrics.Replayed();
                    _services.Metrics.Delivered();
                }

                lock (_deliveryLock)
                {
                    _lastDelivered[room] = message.Seq;
                }

                last = message.Seq;
                progressed = true;
            }

            if (batch.Count < batchSize)
            {
                return progressed;
            }
        }
    }

    /// <summary>
    /// Waits for room in the queue: the catch-up is this client's own task, so backpressure only
    /// slows this client. A client that reads nothing for three heartbeat intervals is dropped.
    /// </summary>
    private async ValueTask WriteReplayFrameAsync(byte[] frame, CancellationToken cancellationToken)
    {
        if (_outbound.Writer.TryWrite(frame))
        {
            return;
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(TimeSpan.FromSeconds(3 * _options.HeartbeatIntervalSeconds));
        try
        {
            await _outbound.Writer.WriteAsync(frame, stall.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            EvictSlow();
            throw;
        }
    }
}
