using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.RestApi.Rooms;

/// <summary>What the room endpoints share: the caller, the admin check, a room's newest seq and its view.</summary>
internal static partial class RoomViews
{
    public static string Caller(ClaimsPrincipal user) => user.FindFirstValue(JwtRegisteredClaimNames.Sub)!;

    /// <summary>Asks PostgreSQL each time, as the admin endpoints do: a revoked admin must stop at once.</summary>
    public static async Task<bool> IsAdminAsync(IUserRepository users, string userId, CancellationToken cancellationToken) =>
        await users.FindAsync(userId, cancellationToken) is { IsAdmin: true, IsBanned: false };

    /// <summary>The room's newest seq, or null when Redis does not answer (the lists still answer, without it).</summary>
    public static async Task<long?> LastSeqAsync(IMessageLog log, string room, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            return await log.GetLastSeqAsync(room, cancellationToken);
        }
        catch (MessageLogException ex)
        {
            LogSeqUnavailable(logger, room, ex.Message);
            return null;
        }
    }

    /// <summary>Unread = newest seq − read seq, never below 0 (a read seq can run ahead if Redis lost its numbering).</summary>
    public static RoomResponse View(RoomRecord room, bool isMember, long? readSeq, long? lastSeq)
    {
        long? read = isMember ? readSeq ?? 0 : null;
        long? unread = isMember && lastSeq is { } last ? Math.Max(0, last - read!.Value) : null;
        return new RoomResponse(room.RoomId, room.Name, room.Visibility, room.OwnerId, room.CreatedAt, isMember, lastSeq, read, unread);
    }

    [LoggerMessage(EventId = 1063, Level = LogLevel.Warning, Message = "Who of room {Room} is online is unknown (Redis failed): {Reason}")]
    public static partial void LogPresenceUnavailable(ILogger logger, string room, string reason);

    [LoggerMessage(EventId = 1062, Level = LogLevel.Warning, Message = "The newest seq of room {Room} is unknown (Redis failed): {Reason}")]
    private static partial void LogSeqUnavailable(ILogger logger, string room, string reason);
}
