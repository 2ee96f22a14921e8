namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary>
/// Rooms and their members in PostgreSQL (the source of truth; <see cref="IRoomMembership"/> is the
/// cached read of it). Callers announce every change with <see cref="RoomMemberEvents"/>.
/// </summary>
public interface IRoomRepository
{
    /// <summary>Inserts the room with its owner as first member, in one transaction; false when the id is taken.</summary>
    Task<bool> TryCreateAsync(RoomRecord room, CancellationToken cancellationToken);

    /// <summary>
    /// Makes sure the direct room <paramref name="roomId"/> exists with both users as members (two
    /// concurrent first messages agree on one row). Returns the users that were added just now.
    /// </summary>
    Task<IReadOnlyList<string>> EnsureDirectAsync(string roomId, string userA, string userB, CancellationToken cancellationToken);

    /// <summary>The room, or null.</summary>
    Task<RoomRecord?> FindAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>The public rooms and those <paramref name="userId"/> is a member of, ordered by id, after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<RoomListing>> ListVisibleAsync(string userId, string? after, int limit, CancellationToken cancellationToken);

    /// <summary>Adds the member; false when they were one already.</summary>
    Task<bool> AddMemberAsync(string roomId, string userId, CancellationToken cancellationToken);

    /// <summary>Removes the member; false when they were none.</summary>
    Task<bool> RemoveMemberAsync(string roomId, string userId, CancellationToken cancellationToken);

    /// <summary>The room's members, ordered by user id.</summary>
    Task<IReadOnlyList<RoomMemberRow>> ListMembersAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>The highest seq <paramref name="userId"/> read in the room, or null when they never sent a read receipt.</summary>
    Task<long?> GetReadSeqAsync(string roomId, string userId, CancellationToken cancellationToken);

    /// <summary>The room's read receipts, ordered by user id.</summary>
    Task<IReadOnlyList<RoomReadRow>> ListReadsAsync(string roomId, CancellationToken cancellationToken);
}
