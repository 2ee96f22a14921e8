namespace RealTimeMessageChat.Infrastructure.Sessions;

/// <summary>
/// What one process tells the others on the Redis channel <c>moderation_events:{db}</c>
/// (<c>db</c> = <c>redis_db_user_status_index</c>), as JSON
/// <c>{"kind", "user_id", "token_id"?, "room"?, "reason"}</c>.
/// Room membership changes travel here too (<see cref="Rooms.RoomMemberEvents"/>).
/// </summary>
/// <param name="Kind"><see cref="SessionEnded"/>, <see cref="UserSessionsEnded"/> or <see cref="AccountChanged"/>.</param>
/// <param name="UserId">The user concerned.</param>
/// <param name="TokenId">The session, for <see cref="SessionEnded"/>.</param>
/// <param name="Reason">Why, shown to the client in the error frame: <c>logout</c>, <c>ended</c>, <c>banned</c>, ...</param>
public sealed record ModerationEvent(string Kind, string UserId, string? TokenId, string Reason)
{
    /// <summary>One session ended (logout, or ended from the session list): close the connections on it.</summary>
    public const string SessionEnded = "session";

    /// <summary>Every session of the user ended (a ban): close all their connections; their flags changed too.</summary>
    public const string UserSessionsEnded = "user";

    /// <summary>The user's flags changed (chat-ban, unban, admin): drop cached copies.</summary>
    public const string AccountChanged = "account";

    /// <summary>The room of a <see cref="Rooms.RoomMemberEvents"/> kind; null for the others.</summary>
    public string? Room { get; init; }

    /// <summary>
    /// For <see cref="Rooms.RoomMemberEvents.Added"/>: the room's newest seq read before the membership
    /// was stored, so a live session receives everything after it (a message published once the
    /// member was in gets a higher seq, however late the announcement arrives); null: from the newest.
    /// </summary>
    public long? AfterSeq { get; init; }

    /// <summary>Whether the user's ban flags may have changed, so cached copies must go.</summary>
    public bool ChangesAccount => Kind is UserSessionsEnded or AccountChanged;
}
