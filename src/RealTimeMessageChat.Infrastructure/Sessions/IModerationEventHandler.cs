namespace RealTimeMessageChat.Infrastructure.Sessions;

/// <summary>Something in this process that acts on <see cref="ModerationEvent"/>s; called on the subscriber's thread, so it must not block.</summary>
public interface IModerationEventHandler
{
    void OnEvent(ModerationEvent moderationEvent);

    /// <summary>The subscription was lost and is back: events may have been missed.</summary>
    void OnResubscribed();
}
