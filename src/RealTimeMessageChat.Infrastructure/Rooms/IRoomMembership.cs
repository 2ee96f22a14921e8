namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary>
/// Who may read and publish in a room (issue 8). PostgreSQL is the source of truth; implementations
/// answer from a cache kept current by the control channel's <see cref="RoomMemberEvents"/>.
/// The global room <c>""</c> has every user as a member and is never looked up.
/// </summary>
public interface IRoomMembership
{
    /// <summary>Whether <paramref name="userId"/> is a member of <paramref name="room"/>; false for a room that does not exist.</summary>
    ValueTask<bool> IsMemberAsync(string room, string userId, CancellationToken cancellationToken);
}
