using System.Collections.Concurrent;
using RealTimeMessageChat.Infrastructure.Rooms;

namespace RealTimeMessageChat.RestApi.Tests.Fakes;

/// <summary>The rooms tables in dictionaries, answering membership uncached. Thread-safe enough for the API tests (one lock).</summary>
internal sealed class InMemoryRooms : IRoomRepository, IRoomMembership
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RoomRecord> _rooms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, DateTimeOffset>> _members = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Room, string User), long> _reads = new();

    /// <summary>Adds a room with these members (the first is the owner), for tests that publish to it.</summary>
    public void Seed(string roomId, string visibility, params string[] members)
    {
        lock (_lock)
        {
            _rooms[roomId] = new RoomRecord(roomId, roomId, visibility, members[0], DateTimeOffset.UnixEpoch);
            _members[roomId] = new SortedDictionary<string, DateTimeOffset>(members.ToDictionary(m => m, _ => DateTimeOffset.UnixEpoch), StringComparer.Ordinal);
        }
    }

    public void SetRead(string roomId, string userId, long seq) => _reads[(roomId, userId)] = seq;

    public Task<bool> TryCreateAsync(RoomRecord room, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_rooms.TryAdd(room.RoomId, room))
            {
                return Task.FromResult(false);
            }

            _members[room.RoomId] = new SortedDictionary<string, DateTimeOffset>(StringComparer.Ordinal) { [room.OwnerId] = room.CreatedAt };
            return Task.FromResult(true);
        }
    }

    public async Task<IReadOnlyList<string>> EnsureDirectAsync(string roomId, string userA, string userB, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _rooms.TryAdd(roomId, new RoomRecord(roomId, userA + ", " + userB, RoomVisibility.Direct, userA, DateTimeOffset.UnixEpoch));
            _members.TryAdd(roomId, new SortedDictionary<string, DateTimeOffset>(StringComparer.Ordinal));
        }

        var added = new List<string>();
        foreach (string user in new[] { userA, userB })
        {
            if (await AddMemberAsync(roomId, user, cancellationToken))
            {
                added.Add(user);
            }
        }

        return added;
    }

    public Task<RoomRecord?> FindAsync(string roomId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_rooms.GetValueOrDefault(roomId));
        }
    }

    public Task<IReadOnlyList<RoomListing>> ListVisibleAsync(string userId, string? after, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<RoomListing> rooms = [.. _rooms.Values
                .Where(r => after is null || string.CompareOrdinal(r.RoomId, after) > 0)
                .Select(r => new RoomListing(r, _members[r.RoomId].ContainsKey(userId), _reads.TryGetValue((r.RoomId, userId), out long seq) ? seq : null))
                .Where(l => l.IsMember || l.Room.Visibility == RoomVisibility.Public)
                .OrderBy(l => l.Room.RoomId, StringComparer.Ordinal)
                .Take(limit)];
            return Task.FromResult(rooms);
        }
    }

    public Task<bool> AddMemberAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_members[roomId].TryAdd(userId, DateTimeOffset.UnixEpoch));
        }
    }

    public Task<bool> RemoveMemberAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_members[roomId].Remove(userId));
        }
    }

    public Task<IReadOnlyList<RoomMemberRow>> ListMembersAsync(string roomId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<RoomMemberRow> members = [.. _members[roomId].Select(m => new RoomMemberRow(m.Key, m.Value))];
            return Task.FromResult(members);
        }
    }

    public Task<long?> GetReadSeqAsync(string roomId, string userId, CancellationToken cancellationToken) =>
        Task.FromResult(_reads.TryGetValue((roomId, userId), out long seq) ? seq : (long?)null);

    public Task<IReadOnlyList<RoomReadRow>> ListReadsAsync(string roomId, CancellationToken cancellationToken)
    {
        IReadOnlyList<RoomReadRow> reads = [.. _reads.Where(r => r.Key.Room == roomId).OrderBy(r => r.Key.User, StringComparer.Ordinal)
            .Select(r => new RoomReadRow(r.Key.User, r.Value, DateTimeOffset.UnixEpoch))];
        return Task.FromResult(reads);
    }

    public ValueTask<bool> IsMemberAsync(string room, string userId, CancellationToken cancellationToken)
    {
        if (room.Length == 0)
        {
            return ValueTask.FromResult(true);
        }

        lock (_lock)
        {
            return ValueTask.FromResult(_members.TryGetValue(room, out var members) && members.ContainsKey(userId));
        }
    }
}
