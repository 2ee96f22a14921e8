using Microsoft.Extensions.Logging;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Sessions;

/// <summary>
/// <see cref="IModerationEvents"/> on the Redis channel <c>moderation_events:{db}</c>. Pub/sub
/// channels are not per database, so the user-status database's index keeps systems that share one
/// Redis apart. The multiplexer resubscribes by itself after a reconnect; the caller is told then,
/// because what was published in between is lost.
/// </summary>
internal sealed partial class RedisModerationEvents(RedisConnectionProvider redis, ILogger<RedisModerationEvents> logger) : IModerationEvents
{
    private RedisChannel Channel => RedisChannel.Literal(RedisSessionStore.Channel(redis.Options.UserStatusDatabase));

    public async Task PublishAsync(ModerationEvent moderationEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(moderationEvent);
        ISubscriber subscriber = await SubscriberAsync(cancellationToken).ConfigureAwait(false);
        await RedisErrors.AwaitAsync(subscriber.PublishAsync(Channel, ModerationEventCodec.Encode(moderationEvent)), cancellationToken).ConfigureAwait(false);
    }

    public async Task SubscribeAsync(Action<ModerationEvent> handler, Action resubscribed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(resubscribed);
        ISubscriber subscriber = await SubscriberAsync(cancellationToken).ConfigureAwait(false);
        RedisChannel channel = Channel;

        // It runs on the multiplexer's thread: never let it throw there.
        void Handler(RedisChannel _, RedisValue value)
        {
            try
            {
                if (ModerationEventCodec.Decode((byte[])value!) is { } moderationEvent)
                {
                    handler(moderationEvent);
                }
                else
                {
                    LogEventUnreadable(logger);
                }
            }
            catch (Exception ex)
            {
                LogHandlerFailed(logger, ex);
            }
        }

        await RedisErrors.AwaitAsync(subscriber.SubscribeAsync(channel, Handler), cancellationToken).ConfigureAwait(false);
        _ = WatchReconnectsAsync(resubscribed, cancellationToken);
        cancellationToken.Register(() =>
        {
            try
            {
                subscriber.Unsubscribe(channel, Handler, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is ObjectDisposedException || RedisErrors.IsRedis(ex))
            {
            }
        });
    }

    private async Task WatchReconnectsAsync(Action resubscribed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var restored = CancellationTokenSource.CreateLinkedTokenSource(redis.ConnectionRestored, cancellationToken);
                await Task.Delay(Timeout.Infinite, restored.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    resubscribed();
                }
                catch (Exception ex)
                {
                    LogHandlerFailed(logger, ex);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<ISubscriber> SubscriberAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await redis.GetAsync(cancellationToken).ConfigureAwait(false)).GetSubscriber();
        }
        catch (Exception ex) when (RedisErrors.IsRedis(ex))
        {
            throw RedisErrors.Translate(ex);
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "A moderation event from Redis could not be read; ignored")]
    private static partial void LogEventUnreadable(ILogger logger);

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "A moderation event handler threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
