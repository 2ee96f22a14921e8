using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.MainServer.Networking;

namespace RealTimeMessageChat.MainServer.Rooms;

/// <summary>
/// Applies <see cref="RoomMemberEvents"/> from the control channel to this server's live account
/// sessions of the user: added → they start receiving the room from its newest seq (a
/// <c>joined</c> frame first); removed → its frames stop and they get <c>room_left</c> with the
/// reason. The user's connections are found by a walk of the registry: membership changes are rare
/// next to messages, and the walk is a read of an array. After the channel was lost and is back,
/// every room subscription is checked against PostgreSQL again (what was removed meanwhile goes;
/// what was added meanwhile is the client's to join).
/// </summary>
internal sealed partial class RoomMemberEventHandler(ConnectionRegistry registry, RoomSubscriptions subscriptions, ILogger<RoomMemberEventHandler> logger)
    : IModerationEventHandler
{
    public void OnEvent(ModerationEvent moderationEvent)
    {
        if (moderationEvent is not { Kind: RoomMemberEvents.Added or RoomMemberEvents.Removed, Room: { Length: > 0 } room })
        {
            return;
        }

        foreach (ClientConnection? connection in registry.Items)
        {
            if (connection is not { IsAuthenticated: true, IsGuest: false } || connection.UserId != moderationEvent.UserId)
            {
                continue;
            }

            if (moderationEvent.Kind == RoomMemberEvents.Added)
            {
                _ = subscriptions.AddedAsync(connection, room, moderationEvent.AfterSeq);
            }
            else
            {
                subscriptions.Removed(connection, room, moderationEvent.Reason);
            }
        }
    }

    public void OnResubscribed() => _ = RecheckAllAsync();

    private async Task RecheckAllAsync()
    {
        int removed = 0;
        foreach (ClientConnection? connection in registry.Items)
        {
            if (connection is not { IsAuthenticated: true, IsGuest: false })
            {
                continue;
            }

            foreach (Delivery.Subscription subscription in connection.Delivery.Subscriptions)
            {
                string room = subscription.Room.Name;
                if (subscription.Room.IsLocal || room.Length == 0)
                {
                    continue;
                }

                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    if (!await subscriptions.IsMemberAsync(connection, room, timeout.Token))
                    {
                        subscriptions.Removed(connection, room, "removed");
                        removed++;
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or Npgsql.NpgsqlException or TimeoutException)
                {
                    LogRecheckFailed(logger, ex.Message);
                    return;
                }
            }
        }

        LogRechecked(logger, removed);
    }

    [LoggerMessage(EventId = 2740, Level = LogLevel.Information, Message = "Control channel back: room subscriptions checked again, {Removed} no longer members")]
    private static partial void LogRechecked(ILogger logger, int removed);

    [LoggerMessage(EventId = 2741, Level = LogLevel.Warning, Message = "Checking room subscriptions again after the control channel came back failed: {Reason}")]
    private static partial void LogRecheckFailed(ILogger logger, string reason);
}
