using System.Collections.Concurrent;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.RestApi.Tests.Fakes;

/// <summary>The users table in a dictionary; TryAdd plays the primary key's part.</summary>
internal sealed class InMemoryUserRepository : IUserRepository
{
    private readonly ConcurrentDictionary<string, UserAccount> _users = new(StringComparer.Ordinal);

    public Task<bool> TryCreateAsync(string userId, string? username, string passwordHash, CancellationToken cancellationToken) =>
        Task.FromResult(_users.TryAdd(userId, new UserAccount(userId, username, passwordHash, IsBanned: false, IsChatBanned: false)));

    private readonly ConcurrentDictionary<string, int> _lookups = new(StringComparer.Ordinal);

    public Task<UserAccount?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        _lookups.AddOrUpdate(userId, 1, (_, n) => n + 1);
        return Task.FromResult(_users.TryGetValue(userId, out UserAccount? account) ? account : null);
    }

    public Task<bool> TryReplacePasswordHashAsync(string userId, string expectedHash, string newHash, CancellationToken cancellationToken)
    {
        while (_users.TryGetValue(userId, out UserAccount? existing) && existing.PasswordHash == expectedHash)
        {
            if (_users.TryUpdate(userId, existing with { PasswordHash = newHash }, existing))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    /// <summary>How many times <see cref="FindAsync"/> asked for <paramref name="userId"/>.</summary>
    public int Lookups(string userId) => _lookups.TryGetValue(userId, out int n) ? n : 0;

    public UserAccount Get(string userId) => _users[userId];

    public void Update(string userId, Func<UserAccount, UserAccount> change) =>
        _users.AddOrUpdate(userId, _ => throw new InvalidOperationException($"no user {userId}"), (_, existing) => change(existing));
}
