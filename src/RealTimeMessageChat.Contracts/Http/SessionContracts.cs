namespace RealTimeMessageChat.Contracts.Http;

/// <summary>One login session in <see cref="SessionsResponse"/>; <c>current</c> marks the one the request's token belongs to.</summary>
public sealed record SessionInfo(string SessionId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Client, bool Current);

/// <summary><c>GET /api/v1/auth/sessions</c> answer (200): the caller's live sessions, oldest first.</summary>
public sealed record SessionsResponse(IReadOnlyList<SessionInfo> Sessions);

/// <summary>The optional body of <c>POST /api/v1/admin/users/{user_id}/{action}</c>.</summary>
public sealed record ModerationRequest
{
    /// <summary>Why; stored in the audit table. At most 500 characters.</summary>
    public string? Reason { get; init; }
}

/// <summary>One user in <see cref="AdminUsersResponse"/>.</summary>
public sealed record AdminUser(string UserId, string? Username, bool IsAdmin, bool IsBanned, bool IsChatBanned, DateTimeOffset CreatedAt);

/// <summary><c>GET /api/v1/admin/users?after=&amp;limit=</c> answer (200), ordered by user id; <c>next_after</c> when more may follow.</summary>
public sealed record AdminUsersResponse(IReadOnlyList<AdminUser> Users, string? NextAfter);
