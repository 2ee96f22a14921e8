using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Delivery;
using RealTimeMessageChat.MainServer.Options;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Rooms;

/// <summary>
/// Typing indicators: a member's <c>typing</c> command passes <see cref="TypingLimiter"/> and goes to
/// every server through <see cref="ITypingRelay"/> (this one included); each server sends
/// <c>{"command":"typing","sub_id","id"}</c> to its clients subscribed to the room, except the
/// connection it came from. Control frames, encoded once per indicator; the publish is not awaited
/// by the connection, so an indicator never holds up a message frame.
/// </summary>
internal sealed partial class TypingService(
    ITypingRelay relay,
    RoomDirectory rooms,
    IFrameCodec codec,
    IOptions<MainServerOptions> options,
    MainServerMetrics metrics,
    ILogger<TypingService> logger) : BackgroundService
{
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly TypingLimiter _limiter = new(options.Value.TypingMinIntervalMilliseconds);

    /// <summary>Relays that <paramref name="userId"/> on connection <paramref name="connectionId"/> is typing in <paramref name="room"/>; false when the rate limit dropped it.</summary>
    public bool Publish(string room, string userId, long connectionId)
    {
        if (!_limiter.TryAcquire(userId, room, Environment.TickCount64))
        {
            metrics.TypingDropped();
            return false;
        }

        _ = PublishAsync(new TypingSignal(room, userId, Origin(connectionId)));
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await relay.SubscribeAsync(OnSignal, stoppingToken);
                return;
            }
            catch (MessageLogException ex)
            {
                LogSubscribeFailed(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>An indicator from any server: to this server's subscribers of the room, never back to its sender.</summary>
    internal void OnSignal(TypingSignal signal)
    {
        if (!rooms.TryGet(signal.Room, out Room? room) || room.Name.Length == 0)
        {
            return;
        }

        byte[]? frame = null;
        long sent = 0;
        foreach (Subscription? subscription in room.Subscribers.Items)
        {
            if (subscription is null || Origin(subscription.Delivery.Target.Id) == signal.Origin)
            {
                continue;
            }

            frame ??= codec.Encode(TcpFrameJson.Serialize(new TypingFrame { SubId = signal.Room, Id = signal.User }, ContractsJsonContext.Default.TypingFrame));
            subscription.Delivery.Target.Send(frame);
            sent++;
        }

        if (sent > 0)
        {
            metrics.TypingRelayed(sent);
        }
    }

    private string Origin(long connectionId) => string.Concat(_instance, ":", connectionId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private async Task PublishAsync(TypingSignal signal)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await relay.PublishAsync(signal, timeout.Token);
        }
        catch (Exception ex) when (ex is MessageLogException or OperationCanceledException)
        {
            metrics.TypingDropped();
            LogPublishFailed(logger, signal.Room, ex.Message);
        }
    }

    [LoggerMessage(EventId = 2700, Level = LogLevel.Warning, Message = "Subscribing to typing indicators failed; retrying in 1 s: {Reason}")]
    private static partial void LogSubscribeFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 2701, Level = LogLevel.Debug, Message = "A typing indicator for room {Room} was not relayed: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string room, string reason);
}
