using Dapper;
using Npgsql;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary><see cref="IModerationRepository"/> over <c>users</c> and <c>moderation_audit</c>.</summary>
public sealed class PostgresModerationRepository(NpgsqlDataSource dataSource) : IModerationRepository
{
    // One statement per flag: the column is never built from input.
    private const string SetBanned = "UPDATE users SET is_banned = @value WHERE user_id = @targetId";
    private const string SetChatBanned = "UPDATE users SET is_chat_banned = @value WHERE user_id = @targetId";
    private const string SetAdmin = "UPDATE users SET is_admin = @value WHERE user_id = @targetId";

    private const string InsertAudit = """
        INSERT INTO moderation_audit (actor_id, action, target_id, reason)
        VALUES (@actorId, @action, @targetId, @reason)
        """;

    private const string SelectUsers = """
        SELECT user_id, username, is_admin, is_banned, is_chat_banned, created_at
        FROM users
        WHERE @after::text IS NULL OR user_id > @after
        ORDER BY user_id
        LIMIT @limit
        """;

    private const string UpsertAdmin = """
        INSERT INTO users (user_id, password_hash, is_admin)
        VALUES (@userId, @passwordHash, true)
        ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, is_admin = true
        RETURNING (xmax = 0)
        """;

    public async Task<bool> ApplyAsync(string actorId, ModerationAction action, string targetId, string? reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actorId);
        ArgumentException.ThrowIfNullOrEmpty(targetId);
        (string sql, bool value) = action switch
        {
            ModerationAction.Ban => (SetBanned, true),
            ModerationAction.Unban => (SetBanned, false),
            ModerationAction.ChatBan => (SetChatBanned, true),
            ModerationAction.ChatUnban => (SetChatBanned, false),
            ModerationAction.GrantAdmin => (SetAdmin, true),
            _ => (SetAdmin, false),
        };

        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int updated = await connection.ExecuteAsync(new CommandDefinition(sql, new { value, targetId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (updated == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(InsertAudit, new { actorId, action = action.AuditName(), targetId, reason }, transaction, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<ModeratedUser>> ListUsersAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<UserRow> rows = await connection.QueryAsync<UserRow>(new CommandDefinition(SelectUsers, new { after, limit }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return [.. rows.Select(r => new ModeratedUser(r.user_id, r.username, r.is_admin, r.is_banned, r.is_chat_banned, new DateTimeOffset(DateTime.SpecifyKind(r.created_at, DateTimeKind.Utc))))];
    }

    public async Task<bool> CreateAdminAsync(string actorId, string userId, string passwordHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(actorId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        bool created = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(UpsertAdmin, new { userId, passwordHash }, transaction, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            InsertAudit, new { actorId, action = created ? "create-admin" : ModerationAction.GrantAdmin.AuditName(), targetId = userId, reason = (string?)"admin create" }, transaction, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    // Column names as in the table, so Dapper maps them without a naming convention setting.
#pragma warning disable IDE1006 // Naming Styles
    private sealed record UserRow(string user_id, string? username, bool is_admin, bool is_banned, bool is_chat_banned, DateTime created_at);
#pragma warning restore IDE1006
}
