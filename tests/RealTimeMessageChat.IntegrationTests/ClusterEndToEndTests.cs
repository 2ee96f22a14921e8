using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using RealTimeMessageChat.Contracts.Storage;
using StackExchange.Redis;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// The system on the three-master Redis Cluster of <c>./build.sh test</c> (issue 8): the pipeline
/// tests it inherits, run there, and what spans MainServers, rooms, presence and sessions. Any
/// end-to-end class built on <see cref="ChatSystem"/> runs on the cluster the same way: a derived
/// class that hands <see cref="ChatSystem.StartAsync"/> the cluster (<see cref="ClusterRedis.Require"/>).
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ClusterEndToEndTests(TestServicesFixture services) : PipelineEndToEndTests(services)
{
    private const int GlobalMessages = 30;
    private const int RoomMessages = 3;

    protected override RedisEndpoint? RedisCluster => ClusterRedis.Require();

    [Fact]
    public async Task TwoMainServers_GlobalRoomRoomHistoryPresenceAndLogout_WorkOnTheCluster()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct, mainServers: 2);
        Assert.NotNull(system.Cluster);
        using var api = new ChatApi(system.RestApiUrl);
        string alice = "ca_" + system.Id, bob = "cb_" + system.Id;
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string aliceToken = await api.RegisterAndLoginAsync(alice, password, ct);
        string bobToken = await api.RegisterAndLoginAsync(bob, password, ct);
        await using ChatClient onFirst = await ChatClient.ConnectAsync(system.MainServers[0].TcpPort, alice, aliceToken, ct);
        await using TestFrameClient onSecond = await SessionsEndToEndTests.HandshakeAsync(system.MainServers[1].TcpPort, bob, bobToken, expectAccepted: true, ct);
        await using ChatClient bobReader = await ChatClient.ConnectAsync(system.MainServers[1].TcpPort, bob, await SessionsEndToEndTests.LoginAsync(api, bob, password, ct), ct);

        // The global room across both servers: every message once, in seq order, on each.
        var receiving = new[] { onFirst, bobReader }.Select(c => c.ReceiveUntilAsync(GlobalMessages, ct)).ToList();
        var sent = new List<Guid>();
        for (int i = 0; i < GlobalMessages; i++)
        {
            sent.Add(await api.PublishAcceptedAsync(i % 2 == 0 ? aliceToken : bobToken, $"global {i}", ct));
        }

        await WithTails(system, Task.WhenAll(receiving));
        foreach (ChatClient client in new[] { onFirst, bobReader })
        {
            Assert.Equal(Enumerable.Range(1, GlobalMessages).Select(i => (long)i), client.Received.Select(b => b.Seq));
            Assert.Equal(sent, client.Received.Select(b => b.MessageId));
        }

        // A room other than the global one is numbered from 1 in a stream and sequence of its own,
        // and the global room's sequence does not move. Its rows make both users members, for a
        // system that checks membership at publish.
        string room = "cluster_" + system.Id;
        await AddRoomAsync(system, room, alice, bob);
        var roomIds = new List<Guid>();
        for (int i = 0; i < RoomMessages; i++)
        {
            roomIds.Add(Guid.NewGuid());
            using HttpResponseMessage published = await api.PublishAsync(aliceToken, new { content = $"room {i}", sub_id = room, message_id = roomIds[i] }, ct);
            Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);
        }

        // The same message_id again: deduplicated in the room's own slot.
        using (HttpResponseMessage again = await api.PublishAsync(aliceToken, new { content = "room 0", sub_id = room, message_id = roomIds[0] }, ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        IDatabase redis = await system.RedisAsync();
        await WaitForAsync(system, "the room's messages in its stream", async () => await redis.StreamLengthAsync(RedisKeys.Stream(room)) >= RoomMessages, ct);
        // One queue, consumed in order: once this arrives, the duplicate before it has been handled.
        await api.PublishAcceptedAsync(aliceToken, "after the room", ct);
        while (!onFirst.Received.Any(b => b.Data == "after the room"))
        {
            await WithTails(system, onFirst.ReceiveUntilAsync(onFirst.Received.Count + 1, ct));
        }

        StreamEntry[] entries = await redis.StreamRangeAsync(RedisKeys.Stream(room));
        Assert.Equal([1L, 2L, 3L], entries.Select(e => (long)e["seq"]));
        Assert.Equal(roomIds.Select(id => id.ToString("D")), entries.Select(e => (string?)e["message_id"]));
        Assert.Equal(RoomMessages, (long)await redis.StringGetAsync(RedisKeys.Sequence(room)));
        Assert.Equal(GlobalMessages + 1, (long)await redis.StringGetAsync(RedisKeys.Sequence(string.Empty)));
        Assert.Contains((RedisValue)room, await redis.SetMembersAsync(RedisKeys.Rooms));
        Assert.Contains(RedisValue.EmptyString, await redis.SetMembersAsync(RedisKeys.Rooms));

        // History over HTTP, of the global room and of the room.
        JsonObject global = await DurableHistoryEndToEndTests.GetHistoryAsync(api, aliceToken, "after_seq=0&limit=100", ct);
        Assert.Equal(Enumerable.Range(1, GlobalMessages + 1).Select(i => (long)i), global["messages"]!.AsArray().Select(m => (long)m!["seq"]!));
        JsonObject roomHistory = await DurableHistoryEndToEndTests.GetHistoryAsync(api, aliceToken, $"sub_id={room}&after_seq=0&limit=100", ct);
        Assert.Equal([1L, 2L, 3L], roomHistory["messages"]!.AsArray().Select(m => (long)m!["seq"]!));
        Assert.Equal(GlobalMessages + 1 + RoomMessages, await WaitForStoredAsync(system, GlobalMessages + 1 + RoomMessages, ct));

        // Presence: both online (the user's hash and the online index live in different slots).
        await WaitForAsync(system, "both online", async () => (await OnlineUsersAsync(api, aliceToken, ct)).SetEquals([alice, bob]), ct);
        JsonObject bobStatus = await SessionsEndToEndTests.GetJsonAsync(api, aliceToken, $"/api/v1/users/{bob}/status", ct);
        Assert.True((bool?)bobStatus["online"]);

        // Logout of bob's first token closes its connection on the second server; his other session stays.
        using (HttpResponseMessage logout = await SessionsEndToEndTests.SendAsync(api, HttpMethod.Post, "/api/v1/auth/logout", bobToken, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        JsonObject error = await onSecond.ReceiveCommandAsync("error", ct);
        Assert.Equal("session ended: logout", (string?)error["message"]);
        Assert.True(await onSecond.WaitForCloseAsync(ct));
        using (HttpResponseMessage refused = await api.PublishAsync(bobToken, new { content = "after logout" }, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // Bob's last session closes: he goes offline, alice stays.
        await bobReader.DisposeAsync();
        await WaitForAsync(system, "bob offline", async () => (await OnlineUsersAsync(api, aliceToken, ct)).SetEquals([alice]), ct);
        bobStatus = await SessionsEndToEndTests.GetJsonAsync(api, aliceToken, $"/api/v1/users/{bob}/status", ct);
        Assert.False((bool?)bobStatus["online"]);
    }

    [Theory]
    [InlineData("MainServerConsumer", "RTMC_REDIS_DB_USER_STATUS_INDEX")]
    [InlineData("MainServer", "RTMC_REDIS_DB_GLOBAL_MESSAGE_INDEX")]
    public async Task App_WithADatabaseOtherThan0OnTheCluster_RefusesToStartNamingTheKey(string app, string variable)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct, mainServers: 0);
        AppProcess process = system.Launch(app, new()
        {
            [variable] = "1",
            ["RTMC_HEALTH_PORT"] = $"{FreePort.Next()}",
            ["RTMC_SERVER_PORT"] = $"{FreePort.Next()}",
        });
        while (!process.HasExited)
        {
            await Task.Delay(100, ct);
        }

        string key = variable["RTMC_".Length..].ToLowerInvariant();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains($"cannot start: Configuration key '{key}': is 1, but the Redis at", process.Tail(), StringComparison.Ordinal);
        Assert.Contains("is a Redis Cluster, which has only database 0", process.Tail(), StringComparison.Ordinal);
    }

    private static async Task AddRoomAsync(ChatSystem system, string room, params string[] members)
    {
        await using NpgsqlConnection connection = system.OpenDatabase();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO rooms (room_id, name, visibility, owner_id) VALUES (@r, @r, 'public', @o); " +
            "INSERT INTO room_members (room_id, user_id) SELECT @r, unnest(@m)",
            connection);
        insert.Parameters.AddWithValue("r", room);
        insert.Parameters.AddWithValue("o", members[0]);
        insert.Parameters.AddWithValue("m", members);
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task<HashSet<string>> OnlineUsersAsync(ChatApi api, string token, CancellationToken ct)
    {
        JsonObject page = await SessionsEndToEndTests.GetJsonAsync(api, token, "/api/v1/users/online?limit=100", ct);
        return [.. page["users"]!.AsArray().Select(u => (string)u!["user_id"]!)];
    }

    private static async Task WaitForAsync(ChatSystem system, string what, Func<Task<bool>> condition, CancellationToken ct)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}{Environment.NewLine}{system.Tails()}");
            await Task.Delay(50, ct);
        }
    }
}
