using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.Infrastructure.Sessions;

/// <summary>
/// Subscribes every <see cref="IModerationEventHandler"/> of the process to the moderation channel.
/// A failed subscribe (Redis down at start) is retried every second; the process does not wait for it.
/// </summary>
public sealed partial class ModerationEventSubscriber(
    IModerationEvents events,
    IEnumerable<IModerationEventHandler> handlers,
    ILogger<ModerationEventSubscriber> logger) : BackgroundService
{
    private readonly IModerationEventHandler[] _handlers = [.. handlers];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await events.SubscribeAsync(OnEvent, OnResubscribed, stoppingToken).ConfigureAwait(false);
                LogSubscribed(logger, _handlers.Length);

                // Whatever happened before the subscription is unknown to the handlers.
                OnResubscribed();
                return;
            }
            catch (MessageLogException ex)
            {
                LogSubscribeFailed(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void OnEvent(ModerationEvent moderationEvent)
    {
        LogEvent(logger, moderationEvent.Kind, moderationEvent.UserId, moderationEvent.Reason);
        foreach (IModerationEventHandler handler in _handlers)
        {
            handler.OnEvent(moderationEvent);
        }
    }

    private void OnResubscribed()
    {
        foreach (IModerationEventHandler handler in _handlers)
        {
            handler.OnResubscribed();
        }
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Subscribed to moderation events ({Handlers} handlers)")]
    private static partial void LogSubscribed(ILogger logger, int handlers);

    [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "Subscribing to moderation events failed; retrying in 1 s: {Reason}")]
    private static partial void LogSubscribeFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 712, Level = LogLevel.Debug, Message = "Moderation event {Kind} for {UserId}: {Reason}")]
    private static partial void LogEvent(ILogger logger, string kind, string userId, string reason);
}
