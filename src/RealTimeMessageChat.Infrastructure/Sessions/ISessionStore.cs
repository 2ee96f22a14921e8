namespace RealTimeMessageChat.Infrastructure.Sessions;

/// <summary>
/// Login sessions: one per issued token (its <c>jti</c>), kept for the token's lifetime. A token
/// whose session is gone is refused by the API and at the TCP handshake, and ending a session
/// announces it (<see cref="ModerationEvent"/>) so every MainServer closes the connections on it.
/// Failures of the store surface as <c>Storage.MessageLogException</c>.
/// </summary>
public interface ISessionStore
{
    /// <summary>Stores <paramref name="session"/> until its <see cref="LoginSession.ExpiresAt"/>.</summary>
    Task CreateAsync(LoginSession session, CancellationToken cancellationToken);

    /// <summary>Whether the session <paramref name="tokenId"/> is still there (not ended, not expired).</summary>
    Task<bool> ExistsAsync(string tokenId, CancellationToken cancellationToken);

    /// <summary>The user's live sessions, oldest first.</summary>
    Task<IReadOnlyList<LoginSession>> ListAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Ends <paramref name="tokenId"/> if it is <paramref name="userId"/>'s and announces it; false when there was no such session.</summary>
    Task<bool> EndAsync(string userId, string tokenId, string reason, CancellationToken cancellationToken);

    /// <summary>Ends every session of <paramref name="userId"/> and announces it (even when none was left); returns how many ended.</summary>
    Task<int> EndAllAsync(string userId, string reason, CancellationToken cancellationToken);
}

/// <summary>One login: the token id, its user, when it was made and expires, and the client that asked (User-Agent and address).</summary>
public sealed record LoginSession(string TokenId, string UserId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Client);
