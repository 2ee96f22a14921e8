using Dapper;
using Npgsql;
using RealTimeMessageChat.Contracts.Rooms;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Storage;

/// <summary>Issue 8's room repository and the cached membership over a real PostgreSQL; each test uses rooms and users of its own.</summary>
[Collection(RealServicesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgresRoomRepositoryTests(TestServicesFixture services) : IAsyncLifetime
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..12];
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
            await connection.ExecuteAsync("DELETE FROM rooms WHERE room_id LIKE @p OR owner_id LIKE @p", new { p = "%" + _tag + "%" });
            await connection.ExecuteAsync("DELETE FROM room_reads WHERE user_id LIKE @p", new { p = "%" + _tag + "%" });
            await _dataSource.DisposeAsync();
        }
    }

    [Fact]
    public async Task CreateAddRemoveList_KeepTheOwnerAsMember_AndShowPublicAndMineWithReadSeq()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var rooms = new PostgresRoomRepository(_dataSource!);
        string owner = "o" + _tag, bob = "b" + _tag, open = "open" + _tag, closed = "closed" + _tag;

        Assert.True(await rooms.TryCreateAsync(new RoomRecord(open, "Open", RoomVisibility.Public, owner, default), cts.Token));
        Assert.False(await rooms.TryCreateAsync(new RoomRecord(open, "Again", RoomVisibility.Private, bob, default), cts.Token));
        Assert.True(await rooms.TryCreateAsync(new RoomRecord(closed, "Closed", RoomVisibility.Private, owner, default), cts.Token));
        Assert.True(await rooms.AddMemberAsync(closed, bob, cts.Token));
        Assert.False(await rooms.AddMemberAsync(closed, bob, cts.Token));
        await new PostgresReadReceipts(_dataSource!).MarkReadAsync(closed, bob, 5, cts.Token);
        await new PostgresReadReceipts(_dataSource!).MarkReadAsync(closed, bob, 3, cts.Token);

        RoomRecord? found = await rooms.FindAsync(open, cts.Token);
        Assert.Equal(("Open", "public", owner), (found!.Name, found.Visibility, found.OwnerId));
        Assert.True(DateTimeOffset.UtcNow - found.CreatedAt < TimeSpan.FromMinutes(5));
        Assert.Equal([owner], (await rooms.ListMembersAsync(open, cts.Token)).Select(m => m.UserId));
        var visible = (await rooms.ListVisibleAsync(bob, null, 500, cts.Token)).Where(l => l.Room.RoomId.EndsWith(_tag, StringComparison.Ordinal)).ToList();
        Assert.Equal([(closed, true, (long?)5), (open, false, null)], visible.Select(l => (l.Room.RoomId, l.IsMember, l.ReadSeq)));
        Assert.Equal(5, await rooms.GetReadSeqAsync(closed, bob, cts.Token));
        Assert.Null(await rooms.GetReadSeqAsync(closed, owner, cts.Token));
        Assert.Equal([(bob, 5L)], (await rooms.ListReadsAsync(closed, cts.Token)).Select(r => (r.UserId, r.Seq)));

        Assert.True(await rooms.RemoveMemberAsync(closed, bob, cts.Token));
        Assert.False(await rooms.RemoveMemberAsync(closed, bob, cts.Token));
        Assert.DoesNotContain(await rooms.ListVisibleAsync(bob, null, 500, cts.Token), l => l.Room.RoomId == closed);
    }

    [Fact]
    public async Task EnsureDirectAsync_ConcurrentFirstMessages_OneRoom_EachMemberAddedOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var rooms = new PostgresRoomRepository(_dataSource!);
        string alice = "a" + _tag, bob = "b" + _tag;
        string room = DirectRoomId.For(alice, bob);
        await using (var connection = await _dataSource!.OpenConnectionAsync(cts.Token))
        {
            await connection.ExecuteAsync("DELETE FROM rooms WHERE room_id = @room", new { room });
        }

        IReadOnlyList<string>[] added = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(i => rooms.EnsureDirectAsync(room, i % 2 == 0 ? alice : bob, i % 2 == 0 ? bob : alice, cts.Token)));

        Assert.Equal(new[] { alice, bob }.Order(StringComparer.Ordinal), added.SelectMany(a => a).Order(StringComparer.Ordinal));
        Assert.Equal(RoomVisibility.Direct, (await rooms.FindAsync(room, cts.Token))!.Visibility);
        Assert.Equal(new[] { alice, bob }.Order(StringComparer.Ordinal), (await rooms.ListMembersAsync(room, cts.Token)).Select(m => m.UserId));
        await using (var connection = await _dataSource!.OpenConnectionAsync(cts.Token))
        {
            await connection.ExecuteAsync("DELETE FROM rooms WHERE room_id = @room", new { room });
        }
    }

    [Fact]
    public async Task PostgresRoomMembership_CachesBothAnswers_UntilTheRoomEventDropsThePair()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var rooms = new PostgresRoomRepository(_dataSource!);
        using var membership = new PostgresRoomMembership(_dataSource!, TimeSpan.FromMinutes(5));
        string owner = "o" + _tag, bob = "b" + _tag, room = "cache" + _tag;
        Assert.True(await rooms.TryCreateAsync(new RoomRecord(room, "Cache", RoomVisibility.Public, owner, default), cts.Token));

        Assert.False(await membership.IsMemberAsync(room, bob, cts.Token));
        await rooms.AddMemberAsync(room, bob, cts.Token);
        bool staleNo = await membership.IsMemberAsync(room, bob, cts.Token);
        membership.OnEvent(RoomMemberEvents.MemberAdded(room, bob, null));
        bool yes = await membership.IsMemberAsync(room, bob, cts.Token);
        await rooms.RemoveMemberAsync(room, bob, cts.Token);
        membership.OnEvent(RoomMemberEvents.MemberRemoved(room, bob, "removed"));
        bool no = await membership.IsMemberAsync(room, bob, cts.Token);

        Assert.False(staleNo);
        Assert.True(yes);
        Assert.False(no);
        Assert.True(await membership.IsMemberAsync(string.Empty, bob, cts.Token));
    }
}
