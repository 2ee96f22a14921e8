using Dapper;
using Npgsql;

namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary><see cref="IReadReceipts"/> over <c>room_reads</c>: an upsert that only ever raises the stored seq.</summary>
public sealed class PostgresReadReceipts(NpgsqlDataSource dataSource) : IReadReceipts
{
    private const string Upsert = """
        INSERT INTO room_reads (room_id, user_id, seq) VALUES (@room, @userId, @seq)
        ON CONFLICT (room_id, user_id) DO UPDATE SET seq = excluded.seq, updated_at = now()
        WHERE room_reads.seq < excluded.seq
        """;

    public async Task MarkReadAsync(string room, string userId, long seq, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(Upsert, new { room, userId, seq }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
