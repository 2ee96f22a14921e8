using Dapper;
using Npgsql;

namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary><see cref="IRoomRepository"/> over V5's <c>rooms</c>, <c>room_members</c> and <c>room_reads</c>, with Dapper.</summary>
public sealed class PostgresRoomRepository(NpgsqlDataSource dataSource) : IRoomRepository
{
    private const string Columns = "room_id AS RoomId, name AS Name, visibility AS Visibility, owner_id AS OwnerId, created_at AS CreatedAt";

    private const string InsertRoom = """
        INSERT INTO rooms (room_id, name, visibility, owner_id) VALUES (@RoomId, @Name, @Visibility, @OwnerId)
        ON CONFLICT (room_id) DO NOTHING
        """;

    private const string InsertMember = "INSERT INTO room_members (room_id, user_id) VALUES (@roomId, @userId) ON CONFLICT DO NOTHING";

    private const string InsertMembers = """
        INSERT INTO room_members (room_id, user_id) SELECT @roomId, unnest(@users::text[])
        ON CONFLICT DO NOTHING RETURNING user_id
        """;

    private const string SelectRoom = "SELECT " + Columns + " FROM rooms WHERE room_id = @roomId";

    // A public room or one of mine; is_member and my read seq alongside.
    private const string SelectVisible = """
        SELECT r.room_id AS RoomId, r.name AS Name, r.visibility AS Visibility, r.owner_id AS OwnerId, r.created_at AS CreatedAt,
               (m.user_id IS NOT NULL) AS IsMember, rr.seq AS ReadSeq
        FROM rooms r
        LEFT JOIN room_members m ON m.room_id = r.room_id AND m.user_id = @userId
        LEFT JOIN room_reads rr ON rr.room_id = r.room_id AND rr.user_id = @userId
        WHERE (r.visibility = 'public' OR m.user_id IS NOT NULL) AND (@after::text IS NULL OR r.room_id > @after)
        ORDER BY r.room_id
        LIMIT @limit
        """;

    private const string DeleteMember = "DELETE FROM room_members WHERE room_id = @roomId AND user_id = @userId";

    private const string SelectMembers = "SELECT user_id AS UserId, joined_at AS JoinedAt FROM room_members WHERE room_id = @roomId ORDER BY user_id";

    private const string SelectReadSeq = "SELECT seq FROM room_reads WHERE room_id = @roomId AND user_id = @userId";

    private const string SelectReads = "SELECT user_id AS UserId, seq AS Seq, updated_at AS UpdatedAt FROM room_reads WHERE room_id = @roomId ORDER BY user_id";

    public async Task<bool> TryCreateAsync(RoomRecord room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int inserted = await connection.ExecuteAsync(new CommandDefinition(InsertRoom, room, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(InsertMember, new { roomId = room.RoomId, userId = room.OwnerId }, transaction, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<string>> EnsureDirectAsync(string roomId, string userA, string userB, CancellationToken cancellationToken)
    {
        // The name shows both users; the first of the two in ordinal order "owns" it (nobody manages a DM).
        (string low, string high) = string.CompareOrdinal(userA, userB) <= 0 ? (userA, userB) : (userB, userA);
        var room = new RoomRecord(roomId, low + ", " + high, RoomVisibility.Direct, low, default);
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertRoom, room, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        IEnumerable<string> added = await connection.QueryAsync<string>(
            new CommandDefinition(InsertMembers, new { roomId, users = new[] { low, high } }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        List<string> result = [.. added];
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<RoomRecord?> FindAsync(string roomId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        RoomRow? row = await connection.QuerySingleOrDefaultAsync<RoomRow>(new CommandDefinition(SelectRoom, new { roomId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new RoomRecord(row.RoomId, row.Name, row.Visibility, row.OwnerId, Utc(row.CreatedAt));
    }

    public async Task<IReadOnlyList<RoomListing>> ListVisibleAsync(string userId, string? after, int limit, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<VisibleRow> rows = await connection.QueryAsync<VisibleRow>(
            new CommandDefinition(SelectVisible, new { userId, after, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new RoomListing(new RoomRecord(r.RoomId, r.Name, r.Visibility, r.OwnerId, Utc(r.CreatedAt)), r.IsMember, r.ReadSeq))];
    }

    public async Task<bool> AddMemberAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(InsertMember, new { roomId, userId }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    public async Task<bool> RemoveMemberAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteMember, new { roomId, userId }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<RoomMemberRow>> ListMembersAsync(string roomId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<MemberRow> rows = await connection.QueryAsync<MemberRow>(new CommandDefinition(SelectMembers, new { roomId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new RoomMemberRow(r.UserId, Utc(r.JoinedAt)))];
    }

    public async Task<long?> GetReadSeqAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectReadSeq, new { roomId, userId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RoomReadRow>> ListReadsAsync(string roomId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        IEnumerable<ReadRow> rows = await connection.QueryAsync<ReadRow>(new CommandDefinition(SelectReads, new { roomId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new RoomReadRow(r.UserId, r.Seq, Utc(r.UpdatedAt)))];
    }

    // Npgsql hands timestamptz to Dapper as a UTC DateTime.
    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private sealed record RoomRow(string RoomId, string Name, string Visibility, string OwnerId, DateTime CreatedAt);

    private sealed record VisibleRow(string RoomId, string Name, string Visibility, string OwnerId, DateTime CreatedAt, bool IsMember, long? ReadSeq);

    private sealed record MemberRow(string UserId, DateTime JoinedAt);

    private sealed record ReadRow(string UserId, long Seq, DateTime UpdatedAt);
}
