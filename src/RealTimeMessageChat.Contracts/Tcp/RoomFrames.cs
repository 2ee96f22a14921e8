namespace RealTimeMessageChat.Contracts.Tcp;

/// <summary>One room of the handshake's <c>rooms</c> list: <c>{"sub_id","last_seq"?}</c>, <c>last_seq</c> as the global room's.</summary>
public sealed record RoomRequest
{
    public string? SubId { get; init; }

    /// <summary>When present, the retained messages of the room after it are replayed first; beyond the newest means the newest.</summary>
    public long? LastSeq { get; init; }
}

/// <summary>
/// A client's room command: <c>{"command":"join","sub_id","last_seq"?}</c>, <c>{"command":"leave","sub_id"}</c>,
/// <c>{"command":"typing","sub_id"}</c> or <c>{"command":"read","sub_id","seq"}</c>.
/// </summary>
public sealed record RoomCommandRequest
{
    public string? Command { get; init; }

    public string? SubId { get; init; }

    /// <summary><c>join</c>: replay after this seq of the room.</summary>
    public long? LastSeq { get; init; }

    /// <summary><c>read</c>: the highest seq of the room the user has read.</summary>
    public long? Seq { get; init; }
}

/// <summary>The answer to <c>join</c> / <c>leave</c> (and to each accepted room of the handshake): <c>{"command":"joined"|"left","sub_id","seq"}</c>.</summary>
public sealed record RoomReply
{
    public required string Command { get; init; }

    public required string SubId { get; init; }

    /// <summary>The room's newest seq this server knows at that moment.</summary>
    public required long Seq { get; init; }
}

/// <summary>The user is no longer a member of the room (left over HTTP, or removed): <c>{"command":"room_left","sub_id","reason"}</c>.</summary>
public sealed record RoomLeftFrame
{
    public string Command { get; init; } = "room_left";

    public required string SubId { get; init; }

    /// <summary><c>left</c> or <c>removed</c> (whatever the announcement carried).</summary>
    public required string Reason { get; init; }
}

/// <summary>Another member is typing in the room: <c>{"command":"typing","sub_id","id"}</c>. Never stored, never numbered.</summary>
public sealed record TypingFrame
{
    public string Command { get; init; } = "typing";

    public required string SubId { get; init; }

    /// <summary>The user who is typing.</summary>
    public required string Id { get; init; }
}
