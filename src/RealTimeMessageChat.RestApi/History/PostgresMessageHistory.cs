using Dapper;
using Npgsql;

namespace RealTimeMessageChat.RestApi.History;

/// <summary><see cref="IMessageHistory"/> over <c>messages</c> (Storage/Migrations/0002_create_messages.sql); (room, seq) is its key.</summary>
internal sealed class PostgresMessageHistory(NpgsqlDataSource dataSource) : IMessageHistory
{
    private const string Columns = "message_id, seq, sender_id, room, command, content, created_at";

    private const string After = $"""
        SELECT {Columns} FROM messages
        WHERE room = @room AND seq > @afterSeq AND seq < @beforeSeq
        ORDER BY seq
        LIMIT @limit
        """;

    // Without after_seq: the newest page, still answered oldest first.
    private const string Newest = $"""
        SELECT * FROM (
            SELECT {Columns} FROM messages
            WHERE room = @room AND seq < @beforeSeq
            ORDER BY seq DESC
            LIMIT @limit) page
        ORDER BY seq
        """;

    public async Task<IReadOnlyList<HistoryMessage>> ReadAsync(string room, long? afterSeq, long? beforeSeq, int limit, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var parameters = new { room, afterSeq = afterSeq ?? 0, beforeSeq = beforeSeq ?? long.MaxValue, limit };
        IEnumerable<Row> rows = await connection.QueryAsync<Row>(
            new CommandDefinition(afterSeq is null ? Newest : After, parameters, cancellationToken: cancellationToken));
        return rows.Select(r => new HistoryMessage(r.message_id, r.seq, r.sender_id, r.room, r.command, r.content, new DateTimeOffset(r.created_at, TimeSpan.Zero))).ToList();
    }

    // Column names as in the table, so Dapper maps them without a naming convention setting.
#pragma warning disable IDE1006 // Naming Styles
    private sealed record Row(Guid message_id, long seq, string sender_id, string room, string command, string content, DateTime created_at);
#pragma warning restore IDE1006
}
