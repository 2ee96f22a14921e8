namespace RealTimeMessageChat.Contracts.Tcp;

/// <summary>First frame a client sends: <c>{"command":"connection","id","token","sub_id","last_seq"?}</c>.</summary>
public sealed record ConnectRequest
{
    public string? Command { get; init; }

    public string? Id { get; init; }

    public string? Token { get; init; }

    public string? SubId { get; init; }

    /// <summary>When present, the server replays the retained messages after it before going live.</summary>
    public long? LastSeq { get; init; }

    /// <summary>Rooms besides the global one to receive from the start (issue 8); each must be one the user is a member of.</summary>
    public IReadOnlyList<RoomRequest>? Rooms { get; init; }
}

/// <summary>The server's answer to <see cref="ConnectRequest"/>.</summary>
public sealed record ConnectResponse
{
    public string Command { get; init; } = "connection";

    public string? Id { get; init; }

    /// <summary>On success, the session id the server gave this connection.</summary>
    public string? SubId { get; init; }

    public bool Condition { get; init; }

    public string? Key { get; init; }

    public string? Iv { get; init; }

    public bool? EncryptMode { get; init; }

    /// <summary>Newest <c>seq</c> of the global room at connect time.</summary>
    public long? LastSeq { get; init; }

    public string? Error { get; init; }
}

/// <summary><c>{"command":"request_client_status_update","id","sub_id","message"}</c>.</summary>
public sealed record StatusUpdateRequest
{
    public string? Command { get; init; }

    public string? Id { get; init; }

    public string? SubId { get; init; }

    public string? Message { get; init; }
}

/// <summary><c>{"command":"update_user_clinet_status","message"}</c>.</summary>
public sealed record StatusUpdateResponse
{
    public string Command { get; init; } = "update_user_clinet_status";

    public string? Message { get; init; }
}

/// <summary>One broadcast: <c>{"command":"send_broadcast_message","message":{...}}</c>.</summary>
public sealed record BroadcastFrame
{
    public string Command { get; init; } = "send_broadcast_message";

    public required BroadcastPayload Message { get; init; }
}

/// <summary>The broadcast message as clients see it.</summary>
public sealed record BroadcastPayload
{
    /// <summary>The sender's user id.</summary>
    public required string Id { get; init; }

    public required string SubId { get; init; }

    /// <summary>The content.</summary>
    public required string Data { get; init; }

    public required Guid MessageId { get; init; }

    public required long Seq { get; init; }

    /// <summary>RFC 3339 time the RestApi accepted the message.</summary>
    public required string Timestamp { get; init; }
}

/// <summary>A frame with only a command: heartbeats.</summary>
public sealed record CommandFrame
{
    public required string Command { get; init; }
}

/// <summary><c>{"command":"error","message"}</c>.</summary>
public sealed record ErrorFrame
{
    public string Command { get; init; } = "error";

    public required string Message { get; init; }

    /// <summary>The room a refused room command (join, leave, typing, read, a handshake room) named; absent otherwise.</summary>
    public string? SubId { get; init; }
}

/// <summary>
/// Catch-up could not deliver seqs <see cref="FromSeq"/> to <see cref="ToSeq"/> of room
/// <see cref="SubId"/>: neither Redis nor PostgreSQL holds them. Sent in their place, in seq order,
/// so a gap is never silent: <c>{"command":"recovery","sub_id","recovered":false,"from_seq","to_seq"}</c>.
/// </summary>
public sealed record RecoveryFrame
{
    public string Command { get; init; } = "recovery";

    public required string SubId { get; init; }

    public bool Recovered { get; init; }

    public required long FromSeq { get; init; }

    public required long ToSeq { get; init; }
}
