using Dapper;
using Npgsql;
using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary><see cref="IMessageArchive"/> over the <c>chat_messages</c> table; both reads are range scans of its (room, seq) key.</summary>
public sealed class PostgresMessageArchive(NpgsqlDataSource dataSource) : IMessageArchive
{
    private const string Columns = "room, seq, message_id, sender_id, command, content, priority, metadata::text AS metadata, created_at";

    private const string After = $"""
        SELECT {Columns} FROM chat_messages
        WHERE room = @room AND seq > @afterSeq AND seq < @beforeSeq
        ORDER BY seq
        LIMIT @count
        """;

    private const string Newest = $"""
        SELECT * FROM (
            SELECT {Columns} FROM chat_messages
            WHERE room = @room AND seq < @beforeSeq
            ORDER BY seq DESC
            LIMIT @count) page
        ORDER BY seq
        """;

    public Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, long beforeSeq, int count, CancellationToken cancellationToken) =>
        QueryAsync(After, new { room, afterSeq, beforeSeq, count }, cancellationToken);

    public Task<IReadOnlyList<ChatMessage>> ReadNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken) =>
        QueryAsync(Newest, new { room, beforeSeq, count }, cancellationToken);

    private async Task<IReadOnlyList<ChatMessage>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<Row> rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new ChatMessage
        {
            MessageId = r.message_id,
            Seq = r.seq,
            SenderId = r.sender_id,
            SubId = r.room,
            Command = r.command,
            Content = r.content,
            Priority = r.priority,
            MetadataJson = r.metadata,
            CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(r.created_at, DateTimeKind.Utc)),
        })];
    }

    // Column names as in the table, so Dapper maps them without a naming convention setting.
#pragma warning disable IDE1006 // Naming Styles
    private sealed record Row(string room, long seq, Guid message_id, string sender_id, string command, string content, short priority, string metadata, DateTime created_at);
#pragma warning restore IDE1006
}
