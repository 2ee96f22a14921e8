namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>The moderation flags of <c>users</c> and the <c>moderation_audit</c> table (migration V4).</summary>
public interface IModerationRepository
{
    /// <summary>
    /// Sets the flag <paramref name="action"/> changes on <paramref name="targetId"/> and records
    /// the action, in one transaction. False (and nothing recorded) when there is no such user.
    /// </summary>
    Task<bool> ApplyAsync(string actorId, ModerationAction action, string targetId, string? reason, CancellationToken cancellationToken);

    /// <summary>Users ordered by id after <paramref name="after"/> (exclusive), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ModeratedUser>> ListUsersAsync(string? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="userId"/> an admin with <paramref name="passwordHash"/>, creating the
    /// account if needed, and records it with actor <paramref name="actorId"/>. True when it was created.
    /// </summary>
    Task<bool> CreateAdminAsync(string actorId, string userId, string passwordHash, CancellationToken cancellationToken);
}

/// <summary>What a moderation action sets; its audit name is <see cref="ModerationActions.AuditName"/>.</summary>
public enum ModerationAction
{
    Ban,
    Unban,
    ChatBan,
    ChatUnban,
    GrantAdmin,
    RevokeAdmin,
}

/// <summary>A row of <c>users</c> with its flags, for the admin list.</summary>
public sealed record ModeratedUser(string UserId, string? Username, bool IsAdmin, bool IsBanned, bool IsChatBanned, DateTimeOffset CreatedAt);

public static class ModerationActions
{
    /// <summary>The URL segment and audit name of each action: <c>ban</c>, <c>unban</c>, <c>chat-ban</c>, <c>chat-unban</c>, <c>grant-admin</c>, <c>revoke-admin</c>.</summary>
    public static string AuditName(this ModerationAction action) => action switch
    {
        ModerationAction.Ban => "ban",
        ModerationAction.Unban => "unban",
        ModerationAction.ChatBan => "chat-ban",
        ModerationAction.ChatUnban => "chat-unban",
        ModerationAction.GrantAdmin => "grant-admin",
        _ => "revoke-admin",
    };

    public static bool TryParse(string name, out ModerationAction action)
    {
        foreach (ModerationAction candidate in Enum.GetValues<ModerationAction>())
        {
            if (candidate.AuditName() == name)
            {
                action = candidate;
                return true;
            }
        }

        action = default;
        return false;
    }
}
