namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary>One row of <c>rooms</c>. <see cref="Visibility"/> is one of <see cref="RoomVisibility"/>'s values.</summary>
public sealed record RoomRecord(string RoomId, string Name, string Visibility, string OwnerId, DateTimeOffset CreatedAt);

/// <summary>A room as one user sees it in a list: whether they are in it, and how far they read.</summary>
public sealed record RoomListing(RoomRecord Room, bool IsMember, long? ReadSeq);

/// <summary>One row of <c>room_members</c>.</summary>
public sealed record RoomMemberRow(string UserId, DateTimeOffset JoinedAt);

/// <summary>One row of <c>room_reads</c>.</summary>
public sealed record RoomReadRow(string UserId, long Seq, DateTimeOffset UpdatedAt);
