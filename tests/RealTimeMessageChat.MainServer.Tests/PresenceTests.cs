using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Presence;
using RealTimeMessageChat.MainServer.Tests.Support;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class PresenceTests
{
    private static readonly Dictionary<string, string?> FastWindow = new() { ["presence_broadcast_window_ms"] = "50" };

    [Fact]
    public async Task Connect_AnotherUser_ObserverGetsOnlineThenOfflineAndSeqIsUntouched()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartAsync(cts.Token);
        await using TestClient observer = await server.ConnectClientAsync("alice", cts.Token);
        JsonElement self = await ReadUserStatusAsync(observer, cts.Token);
        Assert.Equal("alice", self.GetProperty("id").GetString());

        TestClient bob = await server.ConnectClientAsync("bob", cts.Token);
        JsonElement online = await ReadUserStatusAsync(observer, cts.Token);
        await bob.DisposeAsync();
        JsonElement offline = await ReadUserStatusAsync(observer, cts.Token);
        server.Log.Append("after presence", sender: "alice");
        List<long> seqs = await observer.ReadBroadcastSeqsAsync(1, cts.Token);

        Assert.Equal("bob", online.GetProperty("id").GetString());
        Assert.Equal("online", online.GetProperty("status").GetString());
        Assert.False(online.TryGetProperty("text", out _));
        Assert.True(DateTimeOffset.TryParse(online.GetProperty("at").GetString(), out _));
        Assert.Equal("bob", offline.GetProperty("id").GetString());
        Assert.Equal("offline", offline.GetProperty("status").GetString());
        Assert.Equal([1L], seqs);
        await WaitUntilAsync(() => server.PresenceRows.Rows.TryGetValue("bob", out PresenceRecord? row) && !row.Online, cts.Token);
    }

    [Fact]
    public async Task SecondSession_SameUser_NoSecondOnlineAndStaysOnlineUntilTheLastCloses()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartAsync(cts.Token);
        await using TestClient observer = await server.ConnectClientAsync("alice", cts.Token);
        await ReadUserStatusAsync(observer, cts.Token);

        TestClient first = await server.ConnectClientAsync("bob", cts.Token);
        await ReadUserStatusAsync(observer, cts.Token);
        TestClient second = await server.ConnectClientAsync("bob", cts.Token);
        await first.DisposeAsync();
        await WaitUntilAsync(() => server.Presence.Calls.Count(c => c.StartsWith("offline:bob:", StringComparison.Ordinal)) == 1, cts.Token);
        bool onlineWithOneLeft = server.Presence.IsOnline("bob");

        // Changes go out in order: had the first close sent bob offline, it would come before carol.
        await using TestClient carol = await server.ConnectClientAsync("carol", cts.Token);
        JsonElement next = await ReadUserStatusAsync(observer, cts.Token);
        await second.DisposeAsync();
        JsonElement offline = await ReadUserStatusAsync(observer, cts.Token);

        Assert.True(onlineWithOneLeft);
        Assert.Equal("carol", next.GetProperty("id").GetString());
        Assert.Equal("bob", offline.GetProperty("id").GetString());
        Assert.Equal("offline", offline.GetProperty("status").GetString());
        Assert.False(server.Presence.IsOnline("bob"));
    }

    [Fact]
    public async Task StatusText_IsBroadcastWithTheTextAndStored()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await StartAsync(cts.Token);
        await using TestClient observer = await server.ConnectClientAsync("alice", cts.Token);
        await ReadUserStatusAsync(observer, cts.Token);
        await using TestClient bob = await server.ConnectClientAsync("bob", cts.Token);
        await ReadUserStatusAsync(observer, cts.Token);

        await bob.SendJsonAsync(new { command = "request_client_status_update", id = "bob", sub_id = "", message = "out for lunch" }, cts.Token);
        JsonElement status = await ReadUserStatusAsync(observer, cts.Token);

        Assert.Equal("bob", status.GetProperty("id").GetString());
        Assert.Equal("online", status.GetProperty("status").GetString());
        Assert.Equal("out for lunch", status.GetProperty("text").GetString());
        await WaitUntilAsync(() => server.PresenceRows.Rows.TryGetValue("bob", out PresenceRecord? row) && row.Status == "out for lunch", cts.Token);
    }

    [Fact]
    public async Task BurstOfConnects_ReachesObserverCoalescedInFewSharedEntries()
    {
        const int Users = 200;
        using CancellationTokenSource cts = TestTimeout.Start(60);
        await using TestServer server = await StartAsync(cts.Token, new() { ["presence_broadcast_window_ms"] = "200" });
        await using TestClient observer = await server.ConnectClientAsync("observer", cts.Token);
        await ReadUserStatusAsync(observer, cts.Token);
        long entriesBefore = server.Services.GetRequiredService<RoomDirectory>().Presence.Ring.Head;

        TestClient[] clients = await Task.WhenAll(Enumerable.Range(0, Users).Select(i => server.ConnectClientAsync($"user{i}", cts.Token)));
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        while (seen.Count < Users)
        {
            JsonElement frame = await ReadUserStatusAsync(observer, cts.Token);
            Assert.Equal("online", frame.GetProperty("status").GetString());
            string user = frame.GetProperty("id").GetString()!;
            seen[user] = seen.GetValueOrDefault(user) + 1;
        }

        long entries = server.Services.GetRequiredService<RoomDirectory>().Presence.Ring.Head - entriesBefore;
        Assert.All(seen.Values, count => Assert.Equal(1, count));
        Assert.True(entries * 4 <= Users, $"{Users} user_status frames went out in {entries} ring entries; a window's frames should share one");
        foreach (TestClient client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sweep_SessionsOfADeadServer_GoOfflineBroadcastAndStored()
    {
        using CancellationTokenSource cts = TestTimeout.Start(20);
        var presence = new FakePresenceStore { Loopback = true };
        await using TestServer server = await StartAsync(cts.Token, new() { ["server_heartbeat_sec"] = "1", ["server_dead_after_sec"] = "2" }, presence);
        await using TestClient observer = await server.ConnectClientAsync("alice", cts.Token);
        presence.AddForeignSession("dead-host:1#0000", "carol", "s1");
        presence.AddForeignSession("dead-host:1#0000", "dave", "s2");
        presence.AddForeignSession("live-host:2#1111", "dave", "s3");
        presence.Dead["dead-host:1#0000"] = true;

        JsonElement carol;
        do
        {
            carol = await ReadUserStatusAsync(observer, cts.Token);
        }
        while (carol.GetProperty("id").GetString() != "carol");

        Assert.Equal("offline", carol.GetProperty("status").GetString());
        Assert.False(presence.IsOnline("carol"));
        Assert.True(presence.IsOnline("dave"));
        Assert.DoesNotContain(presence.Published, c => c.UserId == "dave");
        await WaitUntilAsync(() => server.PresenceRows.Rows.TryGetValue("carol", out PresenceRecord? row) && !row.Online, cts.Token);

        // dave is still online through the live server: PostgreSQL is made sure of it, nobody is told.
        await WaitUntilAsync(() => server.PresenceRows.Rows.TryGetValue("dave", out PresenceRecord? row) && row.Online, cts.Token);
    }

    [Fact]
    public async Task Timer_RenewsHeartbeatAndTheTtlOfConnectedUsers()
    {
        using CancellationTokenSource cts = TestTimeout.Start(20);
        await using TestServer server = await StartAsync(cts.Token, new() { ["redis_ttl_sec"] = "3" });
        string serverId = server.Services.GetRequiredService<PresenceWriter>().ServerId;
        await using TestClient bob = await server.ConnectClientAsync("bob", cts.Token);
        await using TestClient carol = await server.ConnectClientAsync("carol", cts.Token);

        await WaitUntilAsync(() => server.Presence.Refreshed.GetValueOrDefault(serverId) == 2, cts.Token);

        Assert.Matches(@"^.+:\d+#[0-9a-f]{8}$", serverId);
    }

    [Fact]
    public async Task PresenceStoreDown_ClientsStayConnectedAndGetMessages()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var presence = new FakePresenceStore { Loopback = true, Fail = true };
        await using TestServer server = await StartAsync(cts.Token, presence: presence);
        await using TestClient bob = await server.ConnectClientAsync("bob", cts.Token);

        server.Log.Append("still here");

        Assert.Equal([1L], await bob.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    private static Task<TestServer> StartAsync(CancellationToken cancellationToken, Dictionary<string, string?>? settings = null, FakePresenceStore? presence = null)
    {
        var all = new Dictionary<string, string?>(FastWindow);
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return TestServer.StartAsync(cancellationToken, all, presence: presence ?? new FakePresenceStore { Loopback = true });
    }

    private static async Task<JsonElement> ReadUserStatusAsync(TestClient client, CancellationToken cancellationToken)
    {
        while (true)
        {
            JsonElement frame = await client.ReadFrameAsync(cancellationToken);
            if (frame.Command() == "user_status")
            {
                return frame;
            }

            Assert.Equal("heartbeat:ping", frame.Command());
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
