using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.RestApi.Rooms;

/// <summary>
/// Tells every process that a membership changed (after PostgreSQL committed it): this process's
/// cached answer goes at once, the others' when the control channel delivers the event, and each
/// MainServer starts or stops the user's live sessions in the room.
/// </summary>
internal sealed partial class RoomAnnouncer(PostgresRoomMembership membership, IModerationEvents events, IMessageLog messageLog, ILogger<RoomAnnouncer> logger)
{
    /// <summary>
    /// The room's newest seq, to be read before a membership is stored and carried by its
    /// announcement: the new member's live sessions then start after it, so a message published
    /// after the change reaches them even when it is appended before the announcement arrives
    /// (the first message of a new DM). Null when Redis does not answer: they start at the newest.
    /// </summary>
    public async Task<long?> SeqBeforeChangeAsync(string room, CancellationToken cancellationToken)
    {
        try
        {
            return await messageLog.GetLastSeqAsync(room, cancellationToken);
        }
        catch (MessageLogException ex)
        {
            LogSeqUnavailable(logger, room, ex.Message);
            return null;
        }
    }

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

    [LoggerMessage(EventId = 1062, Level = LogLevel.Warning, Message = "Newest seq of room {Room} unavailable before a membership change; live sessions will start at the newest seq: {Reason}")]
    private static partial void LogSeqUnavailable(ILogger logger, string room, string reason);

    [LoggerMessage(EventId = 1061, Level = LogLevel.Warning, Message = "{Kind} of {UserId} in room {Room} was stored, but announcing it failed: {Reason}")]
    private static partial void LogAnnounceFailed(ILogger logger, string kind, string room, string userId, string reason);
}
