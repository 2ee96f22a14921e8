namespace RealTimeMessageChat.Contracts.Http;

/// <summary>
/// <c>GET /api/v1/users/{user_id}/status</c> answer (200). <c>status</c> is the user's status text,
/// <c>last_seen_at</c> when they last connected or disconnected; each is left out when unknown.
/// </summary>
public sealed record UserStatusResponse(string UserId, bool Online, string? Status, DateTimeOffset? LastSeenAt);

/// <summary>One entry of <see cref="OnlineUsersResponse"/>.</summary>
public sealed record OnlineUser(string UserId, string? Status);

/// <summary>
/// <c>GET /api/v1/users/online?after=&amp;limit=</c> answer (200): online users ordered by user id.
/// <c>next_after</c> is the <c>after</c> of the next page, present only when there may be more.
/// </summary>
public sealed record OnlineUsersResponse(IReadOnlyList<OnlineUser> Users, string? NextAfter);
