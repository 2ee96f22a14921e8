using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.RestApi.Rooms;

/// <summary>
/// Tells every process that a membership changed (after PostgreSQL committed it): this process's
/// cached answer goes at once, the others' when the control channel delivers the event, and each
/// MainServer starts or stops the user's live sessions in the room.
/// </summary>
internal sealed partial class RoomAnnouncer(PostgresRoomMembership membership, IModerationEvents events, ILogger<RoomAnnouncer> logger)
{
    public async Task AnnounceAsync(ModerationEvent change, CancellationToken cancellationToken)
    {
        membership.Invalidate(change.Room!, change.UserId);
        try
        {
            await events.PublishAsync(change, cancellationToken);
        }
        catch (MessageLogException ex)
        {
            // Stored: the other processes' caches catch up within room_membership_cache_sec, but
            // live sessions do not follow the change until they reconnect. Said here, not to the client.
            LogAnnounceFailed(logger, change.Kind, change.Room!, change.UserId, ex.Message);
        }
    }

    [LoggerMessage(EventId = 1061, Level = LogLevel.Warning, Message = "{Kind} of {UserId} in room {Room} was stored, but announcing it failed: {Reason}")]
    private static partial void LogAnnounceFailed(ILogger logger, string kind, string room, string userId, string reason);
}
