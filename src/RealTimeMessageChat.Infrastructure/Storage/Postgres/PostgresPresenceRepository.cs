using Dapper;
using Npgsql;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary><see cref="IPresenceRepository"/> over the presence columns of <c>users</c>.</summary>
public sealed class PostgresPresenceRepository(NpgsqlDataSource dataSource) : IPresenceRepository
{
    // One statement per batch. The guard on last_seen_at makes the write order-free: a change
    // stamped earlier (by the Redis clock that ordered it) than what the row holds is stale.
    private const string UpdatePresence = """
        UPDATE users AS u
        SET is_online = c.online, last_seen_at = c.at
        FROM unnest(@ids::text[], @online::boolean[], @at::timestamptz[]) AS c(user_id, online, at)
        WHERE u.user_id = c.user_id AND (u.last_seen_at IS NULL OR u.last_seen_at < c.at)
        """;

    private const string UpdateStatus = """
        UPDATE users AS u
        SET status = c.status
        FROM unnest(@ids::text[], @status::text[]) AS c(user_id, status)
        WHERE u.user_id = c.user_id
        """;

    private const string SelectPresence = """
        SELECT user_id, is_online, status, last_seen_at
        FROM users
        WHERE user_id = @userId
        """;

    public async Task ApplyAsync(IReadOnlyList<PresenceChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);

        // One row per user and column (UPDATE ... FROM takes an arbitrary one of several): the newest.
        var presence = new Dictionary<string, PresenceChange>(StringComparer.Ordinal);
        var status = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (PresenceChange change in changes)
        {
            if (change.Kind == PresenceChangeKind.Text)
            {
                status[change.UserId] = change.Text ?? string.Empty;
            }
            else if (!presence.TryGetValue(change.UserId, out PresenceChange? known) || known.At < change.At)
            {
                presence[change.UserId] = change;
            }
        }

        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (presence.Count > 0)
        {
            var rows = presence.Values.ToArray();
            await connection.ExecuteAsync(new CommandDefinition(
                UpdatePresence,
                new
                {
                    ids = rows.Select(r => r.UserId).ToArray(),
                    online = rows.Select(r => r.Kind == PresenceChangeKind.Online).ToArray(),
                    at = rows.Select(r => r.At.UtcDateTime).ToArray(),
                },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        if (status.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                UpdateStatus,
                new { ids = status.Keys.ToArray(), status = status.Values.ToArray() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    public async Task<PresenceRecord?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        PresenceRow? row = await connection.QuerySingleOrDefaultAsync<PresenceRow>(new CommandDefinition(SelectPresence, new { userId }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return row is null ? null : new PresenceRecord(row.user_id, row.is_online, row.status, row.last_seen_at is { } seen ? new DateTimeOffset(DateTime.SpecifyKind(seen, DateTimeKind.Utc)) : null);
    }

#pragma warning disable IDE1006 // Dapper maps columns by name.
    private sealed record PresenceRow(string user_id, bool is_online, string? status, DateTime? last_seen_at);
#pragma warning restore IDE1006
}
