namespace RealTimeMessageChat.Contracts.Tcp;

/// <summary>
/// A user came online, went offline or changed their status text:
/// <c>{"command":"user_status","id","status":"online"|"offline","text"?,"at"}</c>. Sent by the
/// server to every authenticated client (the global room today), never numbered: it is not part of
/// a room's <c>seq</c> and is not replayed.
/// </summary>
public sealed record UserStatusFrame
{
    public const string OnlineStatus = "online";
    public const string OfflineStatus = "offline";

    public string Command { get; init; } = "user_status";

    /// <summary>The user whose presence changed.</summary>
    public required string Id { get; init; }

    /// <summary><c>online</c> or <c>offline</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The user's status text (<c>request_client_status_update</c>), when they set one.</summary>
    public string? Text { get; init; }

    /// <summary>When the change happened (RFC 3339, UTC, from the Redis clock that ordered it).</summary>
    public required string At { get; init; }
}
