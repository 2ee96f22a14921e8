using Dapper;
using Npgsql;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Storage;

/// <summary>Against a real PostgreSQL, migrated first; each test uses its own room.</summary>
[Collection(RealServicesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgresMessageStoreTests(TestServicesFixture services) : IAsyncLifetime
{
    private readonly string _room = "test-" + Guid.NewGuid().ToString("N");
    private NpgsqlDataSource? _dataSource;

    public async ValueTask InitializeAsync()
    {
        PostgresOptions options = RealServiceOptions.Postgres(services.Require());
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _dataSource = await RealServiceOptions.CreateMigratedDataSourceAsync(options, cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            await connection.ExecuteAsync("DELETE FROM messages WHERE room = @room", new { room = _room });
            await _dataSource.DisposeAsync();
        }
    }

    [Fact]
    public async Task GetPersistedSeqsAsync_AfterSave_HoldsTheRoomsHighestSeq()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var store = new PostgresMessageStore(_dataSource!);
        await store.SaveBatchAsync([.. Enumerable.Range(1, 5).Select(i => Messages.Chat(_room, $"m{i}", seq: i))], cts.Token);

        IReadOnlyDictionary<string, long> persisted = await store.GetPersistedSeqsAsync(cts.Token);

        Assert.Equal(5, persisted[_room]);
    }

    [Fact]
    public async Task SaveBatchAsync_SameBatchTwice_StoresItOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var store = new PostgresMessageStore(_dataSource!);
        var batch = Enumerable.Range(1, 50).Select(i => Messages.Chat(_room, $"m{i}", seq: i)).ToList();

        int first = await store.SaveBatchAsync(batch, cts.Token);
        int second = await store.SaveBatchAsync(batch, cts.Token);

        Assert.Equal(50, first);
        Assert.Equal(0, second);
        await using var connection = await _dataSource!.OpenConnectionAsync(cts.Token);
        long count = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM messages WHERE room = @room", new { room = _room });
        Assert.Equal(50, count);
    }

    [Fact]
    public async Task SaveBatchAsync_Message_StoresEveryColumn()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var store = new PostgresMessageStore(_dataSource!);
        ChatMessage message = Messages.Chat(_room, "héllo 🌍", seq: 1) with { Priority = 3, MetadataJson = """{"k": "v"}""" };

        await store.SaveBatchAsync([message], cts.Token);

        await using var connection = await _dataSource!.OpenConnectionAsync(cts.Token);
        var row = await connection.QuerySingleAsync<(Guid MessageId, string SenderId, string Command, string Content, short Priority, string Metadata, DateTime CreatedAt)>(
            "SELECT message_id, sender_id, command, content, priority, metadata::text, created_at FROM messages WHERE room = @room AND seq = 1",
            new { room = _room });
        Assert.Equal(message.MessageId, row.MessageId);
        Assert.Equal("alice", row.SenderId);
        Assert.Equal("send_broadcast_message", row.Command);
        Assert.Equal("héllo 🌍", row.Content);
        Assert.Equal(3, row.Priority);
        Assert.Equal("""{"k": "v"}""", row.Metadata);
        Assert.Equal(message.CreatedAt.UtcDateTime, row.CreatedAt.ToUniversalTime());
    }

    [Fact]
    public async Task MessagesView_StoredMessage_ReadsAsTheOriginalColumns()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var store = new PostgresMessageStore(_dataSource!);
        ChatMessage message = Messages.Chat(_room, "as before", seq: 1) with { Priority = 3, MetadataJson = """{"k": "v"}""" };

        await store.SaveBatchAsync([message], cts.Token);

        await using var connection = await _dataSource!.OpenConnectionAsync(cts.Token);
        var row = await connection.QuerySingleAsync<(Guid MessageId, string UserId, string SubId, string Command, string PublisherInfo, string? ServerName, string Content, string Status, DateTime CreatedAt, DateTime ProcessedAt)>(
            """
            SELECT message_id, user_id, sub_id, command, publisher_info::text, server_name, content, status, created_at, processed_at
            FROM messages WHERE sub_id = @room
            """,
            new { room = _room });
        Assert.Equal(message.MessageId, row.MessageId);
        Assert.Equal("alice", row.UserId);
        Assert.Equal(_room, row.SubId);
        Assert.Equal("send_broadcast_message", row.Command);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse($$"""{"message_id": "{{message.MessageId}}", "priority": 3, "metadata": {"k": "v"}, "created_at": 1763780000}"""),
            System.Text.Json.Nodes.JsonNode.Parse(row.PublisherInfo)), row.PublisherInfo);
        Assert.Null(row.ServerName);
        Assert.Equal("as before", row.Content);
        Assert.Equal("processed", row.Status);
        Assert.Equal(message.CreatedAt.UtcDateTime, row.CreatedAt.ToUniversalTime());
        Assert.True(row.ProcessedAt.ToUniversalTime() >= row.CreatedAt.ToUniversalTime());
    }

    [Fact]
    public async Task GetPersistedSeqAsync_AfterSave_ReturnsHighestSeq()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var store = new PostgresMessageStore(_dataSource!);
        long before = await store.GetPersistedSeqAsync(_room, cts.Token);

        await store.SaveBatchAsync([Messages.Chat(_room, "a", seq: 1), Messages.Chat(_room, "b", seq: 2), Messages.Chat(_room, "c", seq: 3)], cts.Token);

        Assert.Equal(0, before);
        Assert.Equal(3, await store.GetPersistedSeqAsync(_room, cts.Token));
    }

    // Issue 9: whatever MessageRules lets through, PostgreSQL stores and returns unchanged; at the
    // rules' own limits for metadata numbers, strings and nesting.
    [Fact]
    public async Task SaveBatchAsync_EveryClassOfUnicodeAndTheMetadataLimits_StoredByteForByte()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var store = new PostgresMessageStore(_dataSource!);
        string[] contents =
        [
            "'; DROP TABLE messages; --",
            "back\\slash \"quote\" ' OR '1'='1 /* $1 %s {0} \\x00 `cmd`",
            "emoji 😀👨‍👩‍👧‍👦 combining e\u0301 a\u0308 RTL \u200Fשלום\u202E ZWJ \u200D ZWNJ \u200C BOM \uFEFF",
            "CJK 中文 日本語 한국어 astral 𝄞 𠀀 \U0010FFFD noncharacters \uFFFE \uFFFF \uFDD0 \U0001FFFE",
            "controls \u0001\u0007\u001B[2J\t\r\n DEL \u007F C1 \u0085\u009B line sep \u2028 para sep \u2029",
        ];
        // The metadata object is level 1 and "nested" sits in it: a value of depth 31 makes the whole 32, the limit.
        string nested = string.Concat(Enumerable.Repeat("{\"a\":", MessageRules.MaxMetadataDepth - 2)) + "{}" + new string('}', MessageRules.MaxMetadataDepth - 2);
        string metadata = $$"""{"big":1e308,"small":-1e-308,"long":{{new string('9', MessageRules.MaxMetadataNumberLength)}},"text":"\uFFFE\u0085 😀","nested":{{nested}}}""";
        Assert.Null(MessageRules.MetadataError(System.Text.Json.JsonDocument.Parse(metadata).RootElement));
        var batch = contents.Select((c, i) => Messages.Chat(_room, c, seq: i + 1) with { MetadataJson = metadata }).ToList();

        await store.SaveBatchAsync(batch, cts.Token);

        await using var connection = await _dataSource!.OpenConnectionAsync(cts.Token);
        var rows = (await connection.QueryAsync<(long Seq, string Content, string Metadata)>(
            "SELECT seq, content, metadata::text FROM messages WHERE room = @room ORDER BY seq", new { room = _room })).ToList();
        Assert.Equal(contents, rows.Select(r => r.Content));
        Assert.All(rows, r => Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse(metadata), System.Text.Json.Nodes.JsonNode.Parse(r.Metadata)), r.Metadata));
    }
}
