namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>Accounts (the <c>users</c> table), as RestApi needs them: create, look up, upgrade a password hash.</summary>
public interface IUserRepository
{
    /// <summary>
    /// Inserts a new account. Returns false when the user id is taken; the database's unique key
    /// decides, so two concurrent registrations of one id cannot both succeed.
    /// </summary>
    Task<bool> TryCreateAsync(string userId, string? username, string passwordHash, CancellationToken cancellationToken);

    /// <summary>The account, or null when there is none.</summary>
    Task<UserAccount?> FindAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the account's password hash if it is still <paramref name="expectedHash"/> (a hash
    /// upgraded to a new iteration count at login never overwrites one changed meanwhile). Returns
    /// false when nothing was replaced.
    /// </summary>
    Task<bool> TryReplacePasswordHashAsync(string userId, string expectedHash, string newHash, CancellationToken cancellationToken);
}

/// <summary>
/// One row of <c>users</c>, without the presence columns. <see cref="PasswordHash"/> is the
/// self-describing PBKDF2 string written by <c>Security.PasswordHasher</c>.
/// </summary>
public sealed record UserAccount(string UserId, string? Username, string PasswordHash, bool IsBanned, bool IsChatBanned, bool IsAdmin = false);
