using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>Turns StackExchange.Redis exceptions into <see cref="MessageLogException"/> at the edge of our stores.</summary>
internal static class RedisErrors
{
    /// <summary>Whether <paramref name="exception"/> comes from the Redis client (and so must be translated).</summary>
    public static bool IsRedis(Exception exception) => exception is RedisException or RedisTimeoutException;

    /// <summary>
    /// Everything but a genuine server error reply is transient: losing a message is worse than
    /// waiting. Server replies that mean "not now" (loading, busy, out of memory...) are transient too.
    /// </summary>
    public static MessageLogException Translate(Exception exception) => exception switch
    {
        RedisServerException server => new MessageLogException(server.Message, IsTransientServerReply(server.Message), server),
        _ => new MessageLogException(exception.Message, isTransient: true, exception),
    };

    /// <summary>Awaits a Redis call up to <paramref name="cancellationToken"/>, translating the client's exceptions.</summary>
    public static async Task<T> AwaitAsync<T>(Task<T> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedis(ex))
        {
            throw Translate(ex);
        }
    }

    /// <inheritdoc cref="AwaitAsync{T}(Task{T}, CancellationToken)"/>
    public static async Task AwaitAsync(Task call, CancellationToken cancellationToken)
    {
        try
        {
            await call.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRedis(ex))
        {
            throw Translate(ex);
        }
    }

    private static bool IsTransientServerReply(string message) =>
        message.StartsWith("LOADING", StringComparison.Ordinal)
        || message.StartsWith("BUSY", StringComparison.Ordinal)
        || message.StartsWith("READONLY", StringComparison.Ordinal)
        || message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
        || message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
        || message.StartsWith("NOSCRIPT", StringComparison.Ordinal)
        || message.StartsWith("OOM", StringComparison.Ordinal)
        || message.Contains("OOM command not allowed", StringComparison.Ordinal);
}
