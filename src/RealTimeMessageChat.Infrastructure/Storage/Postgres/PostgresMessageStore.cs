using Dapper;
using Npgsql;
using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary><see cref="IMessageStore"/> over the <c>chat_messages</c> table (V2, renamed by V3, which made <c>messages</c> a view of it).</summary>
public sealed class PostgresMessageStore(NpgsqlDataSource dataSource) : IMessageStore
{
    // MAX over the (room, seq) primary key is an index lookup, not a scan.
    private const string SelectPersistedSeq = """
        SELECT COALESCE(MAX(seq), 0) FROM chat_messages WHERE room = @room
        """;

    // One statement for the whole batch (so one implicit transaction: all rows or none) with the
    // columns as arrays: a single round trip and one plan however large the batch. ON CONFLICT with
    // no target covers both the (room, seq) key and the (sender_id, message_id) idempotency key.
    private const string InsertBatch = """
        INSERT INTO chat_messages (room, seq, message_id, sender_id, command, content, priority, metadata, created_at)
        SELECT room, seq, message_id, sender_id, command, content, priority, metadata::jsonb, created_at
        FROM unnest(@rooms::text[], @seqs::bigint[], @messageIds::uuid[], @senderIds::text[], @commands::text[],
                    @contents::text[], @priorities::smallint[], @metadata::text[], @createdAt::timestamptz[])
             AS batch (room, seq, message_id, sender_id, command, content, priority, metadata, created_at)
        ORDER BY room, seq
        ON CONFLICT DO NOTHING
        """;

    public async Task<long> GetPersistedSeqAsync(string room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(SelectPersistedSeq, new { room }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, long>> GetPersistedSeqsAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<(string Room, long Seq)> rows = await connection.QueryAsync<(string Room, long Seq)>(
            new CommandDefinition("SELECT room, max(seq) FROM chat_messages GROUP BY room", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Room, r => r.Seq, StringComparer.Ordinal);
    }

    public async Task<int> SaveBatchAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return 0;
        }

        int n = messages.Count;
        var rooms = new string[n];
        var seqs = new long[n];
        var messageIds = new Guid[n];
        var senderIds = new string[n];
        var commands = new string[n];
        var contents = new string[n];
        var priorities = new short[n];
        var metadata = new string[n];
        var createdAt = new DateTime[n];
        for (int i = 0; i < n; i++)
        {
            ChatMessage m = messages[i];
            rooms[i] = m.SubId;
            seqs[i] = m.Seq;
            messageIds[i] = m.MessageId;
            senderIds[i] = m.SenderId;
            commands[i] = m.Command;
            contents[i] = m.Content;
            priorities[i] = (short)m.Priority;
            metadata[i] = m.MetadataJson;
            createdAt[i] = m.CreatedAt.UtcDateTime;
        }

        var parameters = new { rooms, seqs, messageIds, senderIds, commands, contents, priorities, metadata, createdAt };
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(InsertBatch, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
