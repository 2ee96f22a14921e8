namespace RealTimeMessageChat.Infrastructure.Sessions;

/// <summary>The <see cref="ModerationEvent"/> channel, shared by every RestApi, MainServerConsumer and MainServer.</summary>
public interface IModerationEvents
{
    /// <summary>Announces <paramref name="moderationEvent"/> to every subscriber, this process's included.</summary>
    Task PublishAsync(ModerationEvent moderationEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="handler"/> for every event from now on, and <paramref name="resubscribed"/>
    /// after the subscription was lost and is back (events in between may be missed: re-check state).
    /// </summary>
    Task SubscribeAsync(Action<ModerationEvent> handler, Action resubscribed, CancellationToken cancellationToken);
}
