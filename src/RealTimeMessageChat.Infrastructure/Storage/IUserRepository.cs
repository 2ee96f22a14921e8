namespace RealTimeMessageChat.Infrastructure.Storage;

/// <summary>Accounts (the <c>users</c> table), as RestApi needs them: create, look up.</summary>
public interface IUserRepository
{
    /// <summary>
    /// Inserts a new account. Returns false when the user id is taken; the database's unique key
    /// decides, so two concurrent registrations of one id cannot both succeed.
    /// </summary>
    Task<bool> TryCreateAsync(string userId, string? username, string passwordHash, CancellationToken cancellationToken);

    /// <summary>The account, or null when there is none.</summary>
    Task<UserAccount?> FindAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>
/// One row of <c>users</c>, without the presence columns. <see cref="PasswordHash"/> is the
/// self-describing PBKDF2 string written by <c>Security.PasswordHasher</c>.
/// </summary>
public sealed record UserAccount(string UserId, string? Username, string PasswordHash, bool IsBanned, bool IsChatBanned);
