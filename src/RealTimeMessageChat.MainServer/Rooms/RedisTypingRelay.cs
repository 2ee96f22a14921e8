using System.Text.Json;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using StackExchange.Redis;

namespace RealTimeMessageChat.MainServer.Rooms;

/// <summary>
/// <see cref="ITypingRelay"/> on the channel <see cref="RoomChannels.Typing"/> as JSON
/// <c>{"room","user","origin"}</c>. Pub/sub reaches every server subscribed at that moment; one
/// that is reconnecting misses the indicators of those seconds, which is all an indicator is worth.
/// </summary>
internal sealed partial class RedisTypingRelay(RedisConnectionProvider redis, ILogger<RedisTypingRelay> logger) : ITypingRelay
{
    private RedisChannel Channel => RedisChannel.Literal(RoomChannels.Typing(redis.Options.UserStatusDatabase));

    public async Task PublishAsync(TypingSignal signal, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new Wire(signal.Room, signal.User, signal.Origin), WireJson.Default.Wire);
        try
        {
            ISubscriber subscriber = (await redis.GetAsync(cancellationToken)).GetSubscriber();
            await subscriber.PublishAsync(Channel, body).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisConnectionException)
        {
            throw new MessageLogException("Publishing a typing indicator failed: " + ex.Message, isTransient: true, ex);
        }
    }

    public async Task SubscribeAsync(Action<TypingSignal> onSignal, CancellationToken cancellationToken)
    {
        ISubscriber subscriber;
        try
        {
            subscriber = (await redis.GetAsync(cancellationToken)).GetSubscriber();
            await subscriber.SubscribeAsync(Channel, Handler).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or RedisConnectionException)
        {
            throw new MessageLogException("Subscribing to typing indicators failed: " + ex.Message, isTransient: true, ex);
        }

        RedisChannel channel = Channel;
        cancellationToken.Register(() =>
        {
            try
            {
                subscriber.Unsubscribe(channel, Handler, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or RedisException)
            {
            }
        });

        // It runs on the multiplexer's thread: never let it throw there.
        void Handler(RedisChannel _, RedisValue value)
        {
            try
            {
                if (JsonSerializer.Deserialize((byte[])value!, WireJson.Default.Wire) is { Room: { } room, User: { } user, Origin: { } origin })
                {
                    onSignal(new TypingSignal(room, user, origin));
                }
            }
            catch (Exception ex)
            {
                LogUnreadable(logger, ex);
            }
        }
    }

    internal sealed record Wire(string? Room, string? User, string? Origin);

    [System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
    [System.Text.Json.Serialization.JsonSerializable(typeof(Wire))]
    internal sealed partial class WireJson : System.Text.Json.Serialization.JsonSerializerContext;

    [LoggerMessage(EventId = 2710, Level = LogLevel.Warning, Message = "A typing indicator from Redis could not be read or relayed; ignored")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
