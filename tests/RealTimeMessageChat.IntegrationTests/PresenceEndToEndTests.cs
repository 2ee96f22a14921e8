using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Npgsql;
using StackExchange.Redis;
using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// Presence on the real servers (issue 7, section 3): online and offline in Redis and PostgreSQL
/// through clean closes, heartbeat timeouts, a stopped client process and a killed MainServer;
/// the status endpoints; <c>user_status</c> frames on every MainServer.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PresenceEndToEndTests(TestServicesFixture services)
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    // Short intervals so each bound is seconds: silent clients go after 3 s, dead servers after 3 s.
    private static readonly Dictionary<string, string> Fast = new()
    {
        ["RTMC_HEARTBEAT_INTERVAL_SEC"] = "1",
        ["RTMC_SERVER_HEARTBEAT_SEC"] = "1",
        ["RTMC_SERVER_DEAD_AFTER_SEC"] = "3",
        ["RTMC_PRESENCE_BROADCAST_WINDOW_MS"] = "100",
    };

    [Fact]
    public async Task Sessions_OnlineWhileAnyIsOpen_OfflineInRedisAndPostgresWhenTheLastCloses()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, environment: Fast);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "pres_" + system.Id;
        string token = await api.RegisterAndLoginAsync(user, "pw-" + Guid.NewGuid().ToString("N"), ct);
        IDatabase status = await StatusDatabaseAsync(system);
        int port = system.MainServers[0].TcpPort;

        ChatClient first = await ChatClient.ConnectAsync(port, user, token, ct);
        await WaitForAsync(system, "online in Redis and PostgreSQL", async () => await RedisOnlineAsync(status, user) == true && Postgres(system, user).Online, ct);
        TimeSpan? ttl = await status.KeyTimeToLiveAsync($"user_status:{user}");
        DateTime onlineSeen = Postgres(system, user).LastSeen!.Value;
        ChatClient second = await ChatClient.ConnectAsync(port, user, token, ct);
        await WaitForAsync(system, "two sessions", async () => await status.SetLengthAsync(PresenceKeys.Sessions(user)) == 2, ct);
        await first.DisposeAsync();
        await WaitForAsync(system, "one session left", async () => await status.SetLengthAsync(PresenceKeys.Sessions(user)) == 1, ct);
        bool? onlineWithOneLeft = await RedisOnlineAsync(status, user);
        bool postgresWithOneLeft = Postgres(system, user).Online;
        await second.DisposeAsync();
        await WaitForAsync(system, "offline in Redis and PostgreSQL", async () => await RedisOnlineAsync(status, user) == false && !Postgres(system, user).Online, ct);

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(90));
        Assert.True(onlineWithOneLeft);
        Assert.True(postgresWithOneLeft);
        Assert.True(Postgres(system, user).LastSeen > onlineSeen, "last_seen_at moves to the disconnect");
        Assert.True(await status.KeyTimeToLiveAsync($"user_status:{user}") is { } left && left > TimeSpan.Zero);
    }

    [Fact]
    public async Task HeartbeatTimeout_AndAStoppedClientProcess_BothEndOfflineWithinTheBound()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, environment: Fast);
        using var api = new ChatApi(system.RestApiUrl);
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string silent = "silent_" + system.Id, frozen = "frozen_" + system.Id;
        string silentToken = await api.RegisterAndLoginAsync(silent, password, ct);
        await api.RegisterAndLoginAsync(frozen, password, ct);
        IDatabase status = await StatusDatabaseAsync(system);

        // A raw client that completes the handshake and never reads or answers a ping again.
        await using ChatClient mute = await ChatClient.ConnectAsync(system.MainServers[0].TcpPort, silent, silentToken, ct);

        // The real console client, then SIGSTOP: its kernel keeps the connection (no FIN, no RST)
        // and acknowledges what arrives, but nobody answers: the server sees only silence.
        AppProcess console = system.Launch(
            "UserClient",
            new() { ["RTMC_SERVER_PORT"] = $"{system.MainServers[0].TcpPort}", ["RTMC_REST_API_URL"] = system.RestApiUrl, ["RTMC_PASSWORD"] = password },
            $"--user {frozen}",
            redirectInput: true);
        await WaitForAsync(system, "both online", async () => await RedisOnlineAsync(status, silent) == true && await RedisOnlineAsync(status, frozen) == true, ct);
        Assert.Equal(0, Posix.kill(console.Id, SigStop));
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // Bound: three silent intervals (3 s), the one-second timer, the drain, the batch: well within 10 s.
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(10));
            await WaitForAsync(
                system,
                "both offline in Redis and PostgreSQL",
                async () => await RedisOnlineAsync(status, silent) == false && await RedisOnlineAsync(status, frozen) == false
                    && !Postgres(system, silent).Online && !Postgres(system, frozen).Online,
                bound.Token);
            Assert.True(console.HasExited is false, "the client process is only stopped, not gone");
            Assert.True(stopped.Elapsed >= TimeSpan.FromSeconds(2), $"offline after {stopped.Elapsed}: before the heartbeat rule could have fired");
        }
        finally
        {
            Posix.kill(console.Id, SigCont);
        }
    }

    [Fact]
    public async Task KilledMainServer_ItsUsersGoOfflineAfterTheSweep_OthersStayOnline()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, mainServers: 2, environment: Fast);
        using var api = new ChatApi(system.RestApiUrl);
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string onA = "ona_" + system.Id, onB = "onb_" + system.Id, onBoth = "both_" + system.Id;
        string onAToken = await api.RegisterAndLoginAsync(onA, password, ct);
        string onBToken = await api.RegisterAndLoginAsync(onB, password, ct);
        string onBothToken = await api.RegisterAndLoginAsync(onBoth, password, ct);
        IDatabase status = await StatusDatabaseAsync(system);
        MainServerInstance a = system.MainServers[0], b = system.MainServers[1];
        await using ChatClient c1 = await ChatClient.ConnectAsync(a.TcpPort, onA, onAToken, ct);
        await using ChatClient c2 = await ChatClient.ConnectAsync(b.TcpPort, onB, onBToken, ct);
        await using ChatClient c3 = await ChatClient.ConnectAsync(a.TcpPort, onBoth, onBothToken, ct);
        await using ChatClient c4 = await ChatClient.ConnectAsync(b.TcpPort, onBoth, onBothToken, ct);
        Task answering = Task.WhenAll(c2.ReceiveUntilClosedAsync(ct), c4.ReceiveUntilClosedAsync(ct));
        await WaitForAsync(system, "all online", async () => await RedisOnlineAsync(status, onA) == true && Postgres(system, onA).Online && await status.SetLengthAsync(PresenceKeys.Sessions(onBoth)) == 2, ct);
        long serversBefore = await status.SetLengthAsync("presence:servers");

        await a.Process.KillAsync();
        await WaitForAsync(system, $"{onA} offline after the sweep", async () => await RedisOnlineAsync(status, onA) == false && !Postgres(system, onA).Online, ct);

        Assert.Equal(2, serversBefore);
        Assert.True(await RedisOnlineAsync(status, onB));
        Assert.True(await RedisOnlineAsync(status, onBoth));
        Assert.Equal(1, await status.SetLengthAsync(PresenceKeys.Sessions(onBoth)));
        await WaitForAsync(system, "the users of the live server online in PostgreSQL", () => Task.FromResult(Postgres(system, onB).Online && Postgres(system, onBoth).Online), ct);
        Assert.Equal(1, await status.SetLengthAsync("presence:servers"));
        Assert.False(answering.IsCompleted, "clients of the live server stay connected");
    }

    [Fact]
    public async Task StatusEndpoint_ReadsThroughTheCache_AndOnlineListPages()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, environment: Fast);
        using var api = new ChatApi(system.RestApiUrl);
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string alice = "a_" + system.Id, bob = "b_" + system.Id, carol = "c_" + system.Id;
        string aliceToken = await api.RegisterAndLoginAsync(alice, password, ct);
        string bobToken = await api.RegisterAndLoginAsync(bob, password, ct);
        await api.RegisterAndLoginAsync(carol, password, ct);
        IDatabase status = await StatusDatabaseAsync(system);
        await using ChatClient aliceClient = await ChatClient.ConnectAsync(system.MainServers[0].TcpPort, alice, aliceToken, ct);
        await using ChatClient bobClient = await ChatClient.ConnectAsync(system.MainServers[0].TcpPort, bob, bobToken, ct);
        await WaitForAsync(system, "online in PostgreSQL", () => Task.FromResult(Postgres(system, alice).Online && Postgres(system, bob).Online), ct);

        JsonObject fromRedis = await GetAsync(api, aliceToken, $"/api/v1/users/{alice}/status", HttpStatusCode.OK, ct);
        await status.KeyDeleteAsync($"user_status:{alice}");
        JsonObject fromPostgres = await GetAsync(api, aliceToken, $"/api/v1/users/{alice}/status", HttpStatusCode.OK, ct);
        HashEntry[] refilled = await status.HashGetAllAsync($"user_status:{alice}");
        TimeSpan? refilledTtl = await status.KeyTimeToLiveAsync($"user_status:{alice}");
        JsonObject offline = await GetAsync(api, aliceToken, $"/api/v1/users/{carol}/status", HttpStatusCode.OK, ct);
        JsonObject unknown = await GetAsync(api, aliceToken, $"/api/v1/users/nobody_{system.Id}/status", HttpStatusCode.NotFound, ct);
        JsonObject invalid = await GetAsync(api, aliceToken, "/api/v1/users/bad%20id/status", HttpStatusCode.BadRequest, ct);
        using HttpResponseMessage anonymous = await api.Http.GetAsync($"/api/v1/users/{alice}/status", ct);
        JsonObject firstPage = await GetAsync(api, aliceToken, "/api/v1/users/online?limit=1", HttpStatusCode.OK, ct);
        JsonObject secondPage = await GetAsync(api, aliceToken, $"/api/v1/users/online?limit=1&after={(string?)firstPage["next_after"]}", HttpStatusCode.OK, ct);
        JsonObject badLimit = await GetAsync(api, aliceToken, "/api/v1/users/online?limit=501", HttpStatusCode.BadRequest, ct);

        Assert.Equal(alice, (string?)fromRedis["user_id"]);
        Assert.True((bool?)fromRedis["online"]);
        Assert.NotNull((string?)fromRedis["last_seen_at"]);
        Assert.True((bool?)fromPostgres["online"]);
        Assert.Equal(DateTimeOffset.Parse((string)fromRedis["last_seen_at"]!), DateTimeOffset.Parse((string)fromPostgres["last_seen_at"]!));
        Assert.Contains(refilled, e => e.Name == "online" && e.Value == "1");
        Assert.Contains(refilled, e => e.Name == "cached" && e.Value == "1");
        Assert.NotNull(refilledTtl);
        Assert.False((bool?)offline["online"]);
        Assert.False(offline.ContainsKey("last_seen_at"));
        Assert.Equal("https://realtimemessagechat/problems/not-found", (string?)unknown["type"]);
        Assert.Equal("https://realtimemessagechat/problems/validation", (string?)invalid["type"]);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        string[] listed = [.. firstPage["users"]!.AsArray().Concat(secondPage["users"]!.AsArray()).Select(u => (string)u!["user_id"]!)];
        Assert.Equal(new[] { alice, bob }.Order(StringComparer.Ordinal), listed);
        Assert.Null((string?)secondPage["next_after"] is { } next && next != bob ? next : null);
        Assert.Equal("https://realtimemessagechat/problems/validation", (string?)badLimit["type"]);
    }

    [Fact]
    public async Task UserStatusFrames_ReachClientsOnBothMainServers_ABurstArrivesCoalesced()
    {
        const int Burst = 40;
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, mainServers: 2, environment: new Dictionary<string, string>(Fast) { ["RTMC_PRESENCE_BROADCAST_WINDOW_MS"] = "250" });
        using var api = new ChatApi(system.RestApiUrl);
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string watcherA = "wa_" + system.Id, watcherB = "wb_" + system.Id;
        MainServerInstance a = system.MainServers[0], b = system.MainServers[1];
        await using PresenceWatcher onA = await PresenceWatcher.ConnectAsync(a.TcpPort, watcherA, await api.RegisterAndLoginAsync(watcherA, password, ct), ct);
        await using PresenceWatcher onB = await PresenceWatcher.ConnectAsync(b.TcpPort, watcherB, await api.RegisterAndLoginAsync(watcherB, password, ct), ct);
        string[] users = [.. Enumerable.Range(0, Burst).Select(i => $"burst{i}_{system.Id}")];
        string[] tokens = await Task.WhenAll(users.Select(u => api.RegisterAndLoginAsync(u, password, ct)));
        // Each sees itself (its own change came after it joined), and A sees B's: both feeds run.
        await WaitForAsync(system, "the watchers online", () => Task.FromResult(onA.Has(watcherA, "online") && onB.Has(watcherB, "online") && onA.Has(watcherB, "online")), ct);
        (long framesBefore, long entriesBefore) = await PresenceMetricsAsync(b.HealthPort, ct);

        ChatClient[] burst = await Task.WhenAll(users.Select((u, i) => ChatClient.ConnectAsync(a.TcpPort, u, tokens[i], ct)));
        await WaitForAsync(system, "the burst on both servers", () => Task.FromResult(users.All(u => onA.Has(u, "online") && onB.Has(u, "online"))), ct);
        (long framesAfter, long entriesAfter) = await PresenceMetricsAsync(b.HealthPort, ct);
        await burst[0].DisposeAsync();
        await WaitForAsync(system, "an offline on both servers", () => Task.FromResult(onA.Has(users[0], "offline") && onB.Has(users[0], "offline")), ct);

        Assert.All(users, u => Assert.Equal(1, onB.Count(u, "online")));
        Assert.True(framesAfter - framesBefore >= Burst, $"{framesAfter - framesBefore} frames");
        Assert.True((entriesAfter - entriesBefore) * 4 <= framesAfter - framesBefore, $"{framesAfter - framesBefore} user_status frames in {entriesAfter - entriesBefore} shared entries");
        JsonObject frame = onB.Frames.First(f => (string?)f["id"] == users[1]);
        Assert.True(DateTimeOffset.TryParse((string?)frame["at"], out _));
        foreach (ChatClient client in burst.Skip(1))
        {
            await client.DisposeAsync();
        }
    }

    private static async Task<IDatabase> StatusDatabaseAsync(ChatSystem system) => (await system.RedisAsync()).Multiplexer.GetDatabase(system.StatusDatabase);

    private static async Task<bool?> RedisOnlineAsync(IDatabase status, string user)
    {
        RedisValue online = await status.HashGetAsync($"user_status:{user}", "online");
        return online.IsNull ? null : online == "1";
    }

    private static (bool Online, DateTime? LastSeen) Postgres(ChatSystem system, string user)
    {
        using NpgsqlConnection connection = system.OpenDatabase();
        using var command = new NpgsqlCommand("SELECT is_online, last_seen_at FROM users WHERE user_id = @u", connection);
        command.Parameters.AddWithValue("u", user);
        using NpgsqlDataReader reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"no user {user}");
        return (reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1));
    }

    private static async Task<JsonObject> GetAsync(ChatApi api, string token, string path, HttpStatusCode expected, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await api.Http.SendAsync(request, ct);
        string body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == expected, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private static async Task<(long Frames, long Entries)> PresenceMetricsAsync(int healthPort, CancellationToken ct)
    {
        using var http = new HttpClient();
        string text = await http.GetStringAsync($"http://127.0.0.1:{healthPort}/metrics", ct);
        return (Counter(text, "rtmc_mainserver_presence_frames"), Counter(text, "rtmc_mainserver_presence_entries"));
    }

    private static long Counter(string metrics, string prefix)
    {
        long total = 0;
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal) && line.Split(' ') is [.., var value])
            {
                total += (long)double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    private static async Task WaitForAsync(ChatSystem system, string what, Func<Task<bool>> condition, CancellationToken ct)
    {
        try
        {
            while (!await condition())
            {
                await Task.Delay(50, ct);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"never {what}{Environment.NewLine}{system.Tails()}");
        }
    }

    /// <summary>A client that answers pings and keeps every <c>user_status</c> frame.</summary>
    private sealed class PresenceWatcher : IAsyncDisposable
    {
        private readonly TestFrameClient _frames;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;

        private PresenceWatcher(TestFrameClient frames)
        {
            _frames = frames;
            _reading = Task.Run(ReadAsync);
        }

        public ConcurrentQueue<JsonObject> Frames { get; } = new();

        public static async Task<PresenceWatcher> ConnectAsync(int port, string user, string token, CancellationToken ct)
        {
            TestFrameClient frames = await TestFrameClient.ConnectAsync("127.0.0.1", port, ct);
            await frames.SendAsync(new { command = "connection", id = user, token, sub_id = "" }, ct);
            JsonObject reply = await frames.ReceiveAsync(ct) ?? throw new InvalidOperationException("closed during handshake");
            Assert.True((bool?)reply["condition"] == true, reply.ToJsonString());
            return new PresenceWatcher(frames);
        }

        public bool Has(string user, string status) => Count(user, status) > 0;

        public int Count(string user, string status) => Frames.Count(f => (string?)f["id"] == user && (string?)f["status"] == status);

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _frames.DisposeAsync();
            await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }

        private async Task ReadAsync()
        {
            while (await _frames.ReceiveAsync(_stop.Token) is { } frame)
            {
                switch ((string?)frame["command"])
                {
                    case "user_status":
                        Frames.Enqueue(frame);
                        break;
                    case "heartbeat:ping":
                        await _frames.SendAsync(new { command = "heartbeat:pong" }, _stop.Token);
                        break;
                }
            }
        }
    }
}
