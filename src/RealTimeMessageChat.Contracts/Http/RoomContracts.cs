namespace RealTimeMessageChat.Contracts.Http;

/// <summary><c>POST /api/v1/rooms</c> body: <c>room_id</c> optional (generated when absent), <c>visibility</c> <c>public</c> or <c>private</c>.</summary>
public sealed record CreateRoomRequest
{
    public string? RoomId { get; init; }

    public string? Name { get; init; }

    public string? Visibility { get; init; }
}

/// <summary>
/// A room as <c>GET /api/v1/rooms</c>, <c>GET /api/v1/rooms/{room}</c> and <c>POST /api/v1/rooms</c> show it.
/// <c>last_seq</c> is the room's newest seq; <c>read_seq</c> and <c>unread</c> (newest minus read,
/// never below 0) are the caller's, present only when the caller is a member. <c>last_seq</c> and
/// <c>unread</c> are left out when the message log (Redis) does not answer.
/// </summary>
public sealed record RoomResponse(
    string RoomId,
    string Name,
    string Visibility,
    string OwnerId,
    DateTimeOffset CreatedAt,
    bool IsMember,
    long? LastSeq,
    long? ReadSeq,
    long? Unread);

/// <summary><c>GET /api/v1/rooms</c> answer: the public rooms and the caller's, ordered by room id.</summary>
public sealed record RoomsResponse(IReadOnlyList<RoomResponse> Rooms);

/// <summary><c>POST /api/v1/rooms/{room}/members</c> body, optional: <c>user_id</c> absent means the caller joins.</summary>
public sealed record AddMemberRequest
{
    public string? UserId { get; init; }
}

/// <summary><c>POST /api/v1/rooms/{room}/members</c> answer: <c>added</c> false when the user was a member already (200), true when added (201).</summary>
public sealed record RoomMembershipResponse(string RoomId, string UserId, bool Added);

/// <summary>One member: <c>online</c> from the presence store, left out when it does not answer.</summary>
public sealed record RoomMemberItem(string UserId, bool IsOwner, DateTimeOffset JoinedAt, bool? Online);

/// <summary><c>GET /api/v1/rooms/{room}/members</c> answer, ordered by user id.</summary>
public sealed record RoomMembersResponse(string RoomId, IReadOnlyList<RoomMemberItem> Members);

/// <summary>One member's read receipt: the highest seq they read.</summary>
public sealed record RoomReadItem(string UserId, long Seq, DateTimeOffset UpdatedAt);

/// <summary><c>GET /api/v1/rooms/{room}/reads</c> answer: the room's newest seq (absent if Redis does not answer) and each receipt.</summary>
public sealed record RoomReadsResponse(string RoomId, long? LastSeq, IReadOnlyList<RoomReadItem> Reads);

/// <summary><c>POST /api/v1/messages/direct</c> body: the publish fields, with <c>to</c> instead of <c>sub_id</c>.</summary>
public sealed record DirectMessageRequest
{
    public string? To { get; init; }

    public string? Content { get; init; }

    public Guid? MessageId { get; init; }
}

/// <summary>The 202 answer of a direct message: as a publish's, plus the DM room it went to.</summary>
public sealed record DirectMessageResponse(bool Success, Guid MessageId, string QueueName, string SubId);
