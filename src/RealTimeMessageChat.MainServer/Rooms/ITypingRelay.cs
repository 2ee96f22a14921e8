namespace RealTimeMessageChat.MainServer.Rooms;

/// <summary>
/// Carries typing indicators between every MainServer (Redis pub/sub in production,
/// <see cref="RedisTypingRelay"/>). At most once, never stored: a lost indicator only means one
/// "is typing" line fewer.
/// </summary>
internal interface ITypingRelay
{
    /// <summary>Announces <paramref name="signal"/> to every subscriber, this server's included.</summary>
    Task PublishAsync(TypingSignal signal, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="onSignal"/> for every indicator from now on.</summary>
    Task SubscribeAsync(Action<TypingSignal> onSignal, CancellationToken cancellationToken);
}

/// <summary><paramref name="User"/> is typing in <paramref name="Room"/>; <paramref name="Origin"/> names the sending connection (<c>server instance:connection id</c>).</summary>
internal sealed record TypingSignal(string Room, string User, string Origin);
