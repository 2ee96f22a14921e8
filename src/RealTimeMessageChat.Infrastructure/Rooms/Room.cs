namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary>One row of <c>rooms</c>. <see cref="Visibility"/> is one of <see cref="RoomVisibility"/>'s values.</summary>
public sealed record Room(string RoomId, string Name, string Visibility, string OwnerId, DateTimeOffset CreatedAt);

/// <summary>A room as one user sees it in a list: whether they are in it, and how far they read.</summary>
public sealed record RoomListing(Room Room, bool IsMember, long? ReadSeq);

/// <summary>One row of <c>room_members</c>.</summary>
public sealed record RoomMemberRow(string UserId, DateTimeOffset JoinedAt);

/// <summary>One row of <c>room_reads</c>.</summary>
public sealed record RoomReadRow(string UserId, long Seq, DateTimeOffset UpdatedAt);

/// <summary>The values of <c>rooms.visibility</c> (V5's check constraint).</summary>
public static class RoomVisibility
{
    /// <summary>Anyone may join.</summary>
    public const string Public = "public";

    /// <summary>The owner or an admin adds members.</summary>
    public const string Private = "private";

    /// <summary>A direct-message thread: exactly its two users, fixed.</summary>
    public const string Direct = "direct";
}
