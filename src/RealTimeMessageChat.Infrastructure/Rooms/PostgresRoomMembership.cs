using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using RealTimeMessageChat.Infrastructure.Sessions;

namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary>
/// <see cref="IRoomMembership"/> from <c>room_members</c>, each answer (yes and no) remembered for
/// <paramref name="ttl"/> per room and user. A <see cref="RoomMemberEvents"/> announcement drops the
/// pair's entry in every process, so a join or a removal takes effect at once; the TTL only bounds
/// how long a missed announcement (Redis away) keeps a stale answer. Holds at most 100,000 pairs.
/// </summary>
public sealed class PostgresRoomMembership(NpgsqlDataSource dataSource, TimeSpan ttl) : IRoomMembership, IModerationEventHandler, IDisposable
{
    private const string SelectMember = "SELECT EXISTS (SELECT 1 FROM room_members WHERE room_id = @room AND user_id = @userId)";

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public async ValueTask<bool> IsMemberAsync(string room, string userId, CancellationToken cancellationToken)
    {
        if (room.Length == 0)
        {
            return true;
        }

        string key = Key(room, userId);
        if (ttl > TimeSpan.Zero && _cache.TryGetValue(key, out bool cached))
        {
            return cached;
        }

        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        bool member = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(SelectMember, new { room, userId }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        if (ttl > TimeSpan.Zero)
        {
            _cache.Set(key, member, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl, Size = 1 });
        }

        return member;
    }

    /// <summary>Drops the remembered answer for one pair (this process changed it).</summary>
    public void Invalidate(string room, string userId) => _cache.Remove(Key(room, userId));

    public void OnEvent(ModerationEvent moderationEvent)
    {
        if (moderationEvent is { Kind: RoomMemberEvents.Added or RoomMemberEvents.Removed, Room: { } room })
        {
            Invalidate(room, moderationEvent.UserId);
        }
    }

    public void OnResubscribed() => _cache.Clear();

    public void Dispose() => _cache.Dispose();

    // A user id never holds '\n' (MessageRules.UserIdPattern), so the pair is unambiguous.
    private static string Key(string room, string userId) => string.Concat(room, "\n", userId);
}
