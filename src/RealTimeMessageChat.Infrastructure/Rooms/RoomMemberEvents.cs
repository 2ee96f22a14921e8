using RealTimeMessageChat.Infrastructure.Sessions;

namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary>
/// The <see cref="ModerationEvent"/> kinds that carry a room membership change on the same control
/// channel (so every process needs one subscription, and one resubscribe rule, for all of them).
/// <see cref="ModerationEvent.Room"/> names the room; <see cref="ModerationEvent.UserId"/> the member.
/// </summary>
public static class RoomMemberEvents
{
    /// <summary>The user became a member: live sessions start receiving the room after the event's <see cref="ModerationEvent.AfterSeq"/> (or from its newest seq).</summary>
    public const string Added = "room_member_added";

    /// <summary>
    /// The user is no longer a member (left, or removed by the owner or an admin): live sessions stop
    /// receiving the room and get <c>{"command":"room_left","sub_id","reason"}</c> with the event's reason.
    /// </summary>
    public const string Removed = "room_member_removed";

    /// <summary>The announcement of a new member; <paramref name="afterSeq"/> is the room's newest seq read before the membership was stored (<see cref="ModerationEvent.AfterSeq"/>).</summary>
    public static ModerationEvent MemberAdded(string room, string userId, long? afterSeq) =>
        new(Added, userId, null, "joined") { Room = room, AfterSeq = afterSeq };

    public static ModerationEvent MemberRemoved(string room, string userId, string reason) =>
        new(Removed, userId, null, reason) { Room = room };
}
