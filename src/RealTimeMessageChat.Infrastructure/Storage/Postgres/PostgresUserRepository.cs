using Dapper;
using Npgsql;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary><see cref="IUserRepository"/> over the <c>users</c> table (Storage/Migrations/0001_create_users.sql).</summary>
public sealed class PostgresUserRepository(NpgsqlDataSource dataSource) : IUserRepository
{
    private const string InsertUser = """
        INSERT INTO users (user_id, username, password_hash)
        VALUES (@userId, @username, @passwordHash)
        """;

    private const string SelectUser = """
        SELECT user_id, username, password_hash, is_banned, is_chat_banned, is_admin
        FROM users
        WHERE user_id = @userId
        """;

    private const string ReplaceHash = """
        UPDATE users SET password_hash = @newHash
        WHERE user_id = @userId AND password_hash = @expectedHash
        """;

    public async Task<bool> TryCreateAsync(string userId, string? username, string passwordHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertUser, new { userId, username, passwordHash }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Insert-and-catch rather than check-then-insert: the primary key settles races.
            return false;
        }
    }

    public async Task<UserAccount?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        UserRow? row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(SelectUser, new { userId }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return row is null ? null : new UserAccount(row.user_id, row.username, row.password_hash, row.is_banned, row.is_chat_banned, row.is_admin);
    }

    public async Task<bool> TryReplacePasswordHashAsync(string userId, string expectedHash, string newHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(expectedHash);
        ArgumentException.ThrowIfNullOrEmpty(newHash);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        int updated = await connection.ExecuteAsync(new CommandDefinition(ReplaceHash, new { userId, expectedHash, newHash }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return updated == 1;
    }

    // Column names as in the table, so Dapper maps them without a naming convention setting.
#pragma warning disable IDE1006 // Naming Styles
    private sealed record UserRow(string user_id, string? username, string password_hash, bool is_banned, bool is_chat_banned, bool is_admin);
#pragma warning restore IDE1006
}
