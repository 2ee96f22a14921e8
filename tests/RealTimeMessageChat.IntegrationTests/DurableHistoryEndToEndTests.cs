using System.Text.Json.Nodes;
using Npgsql;
using RealTimeMessageChat.Contracts.Storage;
using StackExchange.Redis;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>Issue 7, section 1: Redis and PostgreSQL as one log, on the real servers.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class DurableHistoryEndToEndTests(TestServicesFixture services)
{
    // A short stream and small persist batches, so a few hundred messages cross the boundary many times.
    internal static readonly Dictionary<string, string> ShortRetention = new()
    {
        ["RTMC_REDIS_STREAM_MAX_LENGTH"] = "20",
        ["RTMC_PERSIST_BATCH_SIZE"] = "7",
        ["RTMC_PERSIST_INTERVAL_MS"] = "20",
    };

    [Fact]
    public async Task PersisterKilledMidBatch_Restarted_PostgresHoldsEachMessageOnce_RedisTrimmedOnlyBehindIt()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, mainServers: 0, environment: ShortRetention);
        using var api = new ChatApi(system.RestApiUrl);
        string token = await api.RegisterAndLoginAsync("kill9_" + system.Id, "pw-" + Guid.NewGuid().ToString("N"), ct);
        IDatabase redis = await system.RedisAsync();
        var published = new List<Guid>();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task<List<string>> violations = SampleTrimBehindPostgresAsync(system, redis, sampling.Token);
        for (int i = 0; i < 30; i++)
        {
            published.Add(await api.PublishAcceptedAsync(token, $"m{i}", ct));
        }

        Assert.Equal(30, await PipelineEndToEndTests.WaitForStoredAsync(system, 30, ct));
        Assert.Equal(11, await WaitForFirstRetainedAsync(redis, 11, ct));

        // PostgreSQL stalls (a lock held here): the persister's next batch is sent and waits in its
        // INSERT. It is killed there, mid-batch, while the stream grows far past its length bound.
        long lengthWhileStalled;
        await using (NpgsqlConnection locker = system.OpenDatabase())
        {
            await using NpgsqlTransaction stall = await locker.BeginTransactionAsync(ct);
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE messages IN EXCLUSIVE MODE", locker, stall))
            {
                await lockTable.ExecuteNonQueryAsync(ct);
            }

            for (int i = 30; i < 130; i++)
            {
                published.Add(await api.PublishAcceptedAsync(token, $"m{i}", ct));
            }

            await WaitForLastSeqAsync(redis, 130, ct);
            await Task.Delay(300, ct);
            lengthWhileStalled = await redis.StreamLengthAsync(RedisKeys.GlobalStream);
            await system.Consumer!.KillAsync();
            await stall.CommitAsync(ct);
        }

        for (int i = 130; i < 180; i++)
        {
            published.Add(await api.PublishAcceptedAsync(token, $"m{i}", ct));
        }

        int health = FreePort.Next();
        AppProcess restarted = system.Launch("MainServerConsumer", new() { ["RTMC_HEALTH_PORT"] = $"{health}" });
        await restarted.WaitUntilReadyAsync($"http://127.0.0.1:{health}/health/ready", ct);
        Assert.Equal(180, await PipelineEndToEndTests.WaitForStoredAsync(system, 180, ct));
        long first = await WaitForFirstRetainedAsync(redis, 161, ct);
        await sampling.CancelAsync();

        Assert.Equal(120, lengthWhileStalled);
        Assert.Equal(Enumerable.Range(1, 180).Select(i => (long)i), (await StoredAsync(system, ct)).Select(r => r.Seq));
        Assert.Equal(published, (await StoredAsync(system, ct)).Select(r => r.MessageId));
        Assert.Equal(161, first);
        Assert.Empty(await violations);
        using var http = new HttpClient();
        string metrics = await http.GetStringAsync($"http://127.0.0.1:{health}/metrics", ct);
        Assert.Contains("rtmc_mainserverconsumer_persist_lag", metrics);
    }

    [Fact]
    public async Task HistoryPaging_AcrossTheRedisPostgresBoundary_ReturnsEveryMessageOnceInOrder()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, mainServers: 0, environment: ShortRetention);
        using var api = new ChatApi(system.RestApiUrl);
        string token = await api.RegisterAndLoginAsync("pages_" + system.Id, "pw-" + Guid.NewGuid().ToString("N"), ct);
        IDatabase redis = await system.RedisAsync();
        const int Total = 75;
        for (int i = 0; i < Total; i++)
        {
            await api.PublishAcceptedAsync(token, $"m{i}", ct);
        }

        Assert.Equal(Total, await PipelineEndToEndTests.WaitForStoredAsync(system, Total, ct));
        Assert.Equal(56, await WaitForFirstRetainedAsync(redis, 56, ct));

        // Seqs 56.. leave PostgreSQL: what Redis retains can then only come from Redis, the rest only from PostgreSQL.
        await using (NpgsqlConnection connection = system.OpenDatabase())
        {
            await using var delete = new NpgsqlCommand("DELETE FROM messages WHERE seq >= 56", connection);
            Assert.Equal(20, await delete.ExecuteNonQueryAsync(ct));
        }

        var forward = new List<JsonNode>();
        for (long? after = 0; after is not null;)
        {
            JsonObject page = await GetHistoryAsync(api, token, $"after_seq={after}&limit=7", ct);
            forward.AddRange(page["messages"]!.AsArray().Select(m => m!));
            after = (long?)page["next_after_seq"];
        }

        var backward = new List<JsonNode>();
        for (string query = "limit=9"; query.Length > 0;)
        {
            JsonObject page = await GetHistoryAsync(api, token, query, ct);
            backward.InsertRange(0, page["messages"]!.AsArray().Select(m => m!));
            query = page["next_before_seq"] is { } before ? $"before_seq={before}&limit=9" : string.Empty;
        }

        JsonObject straddling = await GetHistoryAsync(api, token, "after_seq=50&limit=10", ct);

        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), forward.Select(m => (long)m["seq"]!));
        Assert.Equal(Enumerable.Range(0, Total).Select(i => $"m{i}"), forward.Select(m => (string)m["content"]!));
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), backward.Select(m => (long)m["seq"]!));
        Assert.Equal(Enumerable.Range(51, 10).Select(i => (long)i), straddling["messages"]!.AsArray().Select(m => (long)m!["seq"]!));
        Assert.Equal(60, (long)straddling["next_after_seq"]!);
        Assert.Equal(51, (long)straddling["next_before_seq"]!);
    }

    [Fact]
    public async Task RedisFlushed_ConsumerThatAppendedNoneOfTheRoom_ContinuesAfterPostgres()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, mainServers: 0, environment: ShortRetention);
        using var api = new ChatApi(system.RestApiUrl);
        string token = await api.RegisterAndLoginAsync("flush_" + system.Id, "pw-" + Guid.NewGuid().ToString("N"), ct);

        // A second consumer on a queue of its own, fed by a second RestApi: it numbers the first
        // messages, while the first consumer, started before them on an empty PostgreSQL, sees them
        // only through its persister.
        string otherQueue = system.Queue + "_other";
        int otherApiPort = FreePort.Next(), otherHealth = FreePort.Next();
        AppProcess otherApi = system.Launch("RestApi", new() { ["RTMC_SERVER_PORT"] = $"{otherApiPort}", ["RTMC_PUBLISH_QUEUE_NAME"] = otherQueue });
        AppProcess otherConsumer = system.Launch("MainServerConsumer", new() { ["RTMC_HEALTH_PORT"] = $"{otherHealth}", ["RTMC_CONSUME_QUEUE_NAME"] = otherQueue });
        await otherApi.WaitUntilReadyAsync($"http://127.0.0.1:{otherApiPort}/health/ready", ct);
        await otherConsumer.WaitUntilReadyAsync($"http://127.0.0.1:{otherHealth}/health/ready", ct);
        using (var viaOther = new ChatApi($"http://127.0.0.1:{otherApiPort}"))
        {
            for (int i = 0; i < 5; i++)
            {
                await viaOther.PublishAcceptedAsync(token, $"b{i}", ct);
            }
        }

        Assert.Equal(5, await PipelineEndToEndTests.WaitForStoredAsync(system, 5, ct));
        await WaitForPersistLagZeroAsync(system.ConsumerHealthPort, ct);
        Assert.Equal(0, await otherConsumer.StopAsync(TimeSpan.FromSeconds(20)));
        IDatabase redis = await system.RedisAsync();
        await redis.ExecuteAsync("FLUSHDB");

        for (int i = 0; i < 3; i++)
        {
            await api.PublishAcceptedAsync(token, $"a{i}", ct);
        }

        Assert.Equal(8, await PipelineEndToEndTests.WaitForStoredAsync(system, 8, ct));
        await using NpgsqlConnection connection = system.OpenDatabase();
        await using var command = new NpgsqlCommand("SELECT string_agg(seq || ':' || content, ',' ORDER BY seq) FROM messages", connection);
        Assert.Equal("1:b0,2:b1,3:b2,4:b3,5:b4,6:a0,7:a1,8:a2", (string?)await command.ExecuteScalarAsync(ct));
    }

    /// <summary>The consumer's persister has caught up with the global room (its cursor, and so its floor, at Redis's newest).</summary>
    private static async Task WaitForPersistLagZeroAsync(int healthPort, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var caughtUp = new System.Text.RegularExpressions.Regex("""rtmc_mainserverconsumer_persist_lag[^{\n]*\{[^}]*room=""[^}]*\} 0\b""");
        string metrics = string.Empty;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            metrics = await http.GetStringAsync($"http://127.0.0.1:{healthPort}/metrics", cancellationToken);
            if (caughtUp.IsMatch(metrics))
            {
                return;
            }

            await Task.Delay(50, cancellationToken);
        }

        Assert.Fail("the persist lag of room '' never read 0:" + Environment.NewLine + metrics);
    }

    [Fact]
    public async Task Reconnect_LastSeqOlderThanRedisHolds_GapFilledFromPostgres_DataGoneFromBoth_RecoveryFrame()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, mainServers: 0, environment: ShortRetention);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "gap_" + system.Id;
        string token = await api.RegisterAndLoginAsync(user, "pw-" + Guid.NewGuid().ToString("N"), ct);
        IDatabase redis = await system.RedisAsync();
        for (int i = 0; i < 60; i++)
        {
            await api.PublishAcceptedAsync(token, $"m{i}", ct);
        }

        Assert.Equal(60, await PipelineEndToEndTests.WaitForStoredAsync(system, 60, ct));
        Assert.Equal(41, await WaitForFirstRetainedAsync(redis, 41, ct));

        // Started now, the server's ring begins at seq 60: older seqs come from Redis or PostgreSQL.
        MainServerInstance server = await system.StartMainServerAsync(ct);
        await using (ChatClient filled = await ChatClient.ConnectAsync(server.TcpPort, user, token, ct, lastSeq: 5))
        {
            await PipelineEndToEndTests.WithTails(system, filled.ReceiveUntilAsync(55, ct));
            await api.PublishAcceptedAsync(token, "live", ct);
            await PipelineEndToEndTests.WithTails(system, filled.ReceiveUntilAsync(56, ct));

            Assert.Equal(Enumerable.Range(6, 56).Select(i => (long)i), filled.Received.Select(b => b.Seq));
            Assert.Equal([.. Enumerable.Range(5, 55).Select(i => $"m{i}"), "live"], filled.Received.Select(b => b.Data));
            Assert.Empty(filled.Recoveries);
        }

        await using (NpgsqlConnection connection = system.OpenDatabase())
        {
            await using var delete = new NpgsqlCommand("DELETE FROM messages WHERE seq BETWEEN 10 AND 30", connection);
            Assert.Equal(21, await delete.ExecuteNonQueryAsync(ct));
        }

        await using ChatClient gapped = await ChatClient.ConnectAsync(server.TcpPort, user, token, ct, lastSeq: 5);
        await PipelineEndToEndTests.WithTails(system, gapped.ReceiveUntilAsync(35, ct));

        Assert.Equal([.. Enumerable.Range(6, 4).Select(i => (long)i), .. Enumerable.Range(31, 31).Select(i => (long)i)], gapped.Received.Select(b => b.Seq));
        (JsonObject recovery, int after) = Assert.Single(gapped.Recoveries);
        Assert.Equal(4, after);
        Assert.Equal("""{"command":"recovery","sub_id":"","recovered":false,"from_seq":10,"to_seq":30}""", recovery.ToJsonString());
    }

    internal static async Task<JsonObject> GetHistoryAsync(ChatApi api, string token, string query, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/messages?" + query);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await api.Http.SendAsync(request, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET /api/v1/messages?{query} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    internal static async Task<List<(long Seq, Guid MessageId)>> StoredAsync(ChatSystem system, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = system.OpenDatabase();
        await using var rows = new NpgsqlCommand("SELECT seq, message_id FROM messages WHERE room = '' ORDER BY seq", connection);
        var stored = new List<(long Seq, Guid MessageId)>();
        await using NpgsqlDataReader reader = await rows.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stored.Add((reader.GetInt64(0), reader.GetGuid(1)));
        }

        return stored;
    }

    internal static async Task WaitForLastSeqAsync(IDatabase redis, long expected, CancellationToken cancellationToken)
    {
        while (((long?)await redis.StringGetAsync(RedisKeys.Sequence(string.Empty)) ?? 0) < expected)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>
    /// Until cancelled: the oldest seq Redis retains, then PostgreSQL's highest; PostgreSQL only
    /// grows, so reading Redis first makes "everything below Redis's oldest is in PostgreSQL" exact.
    /// </summary>
    internal static async Task<List<string>> SampleTrimBehindPostgresAsync(ChatSystem system, IDatabase redis, CancellationToken cancellationToken)
    {
        var violations = new List<string>();
        int samples = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                StreamEntry[] oldest = await redis.StreamRangeAsync(RedisKeys.GlobalStream, "-", "+", 1);
                long persisted = await PersistedMaxAsync(system, cancellationToken);
                if (oldest.Length > 0)
                {
                    long first = long.Parse(((string)oldest[0].Id!).Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
                    if (first - 1 > persisted)
                    {
                        violations.Add($"Redis starts at seq {first} while PostgreSQL holds up to {persisted}");
                    }
                }

                samples++;
                await Task.Delay(10, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (samples < 10)
        {
            violations.Add($"only {samples} samples taken");
        }

        return violations;
    }

    internal static async Task<long> WaitForFirstRetainedAsync(IDatabase redis, long expected, CancellationToken cancellationToken)
    {
        long first = 0;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            StreamEntry[] oldest = await redis.StreamRangeAsync(RedisKeys.GlobalStream, "-", "+", 1);
            first = oldest.Length == 0 ? 0 : long.Parse(((string)oldest[0].Id!).Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
            if (first >= expected)
            {
                return first;
            }

            await Task.Delay(50, cancellationToken);
        }

        return first;
    }

    private static async Task<long> PersistedMaxAsync(ChatSystem system, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = system.OpenDatabase();
        await using var command = new NpgsqlCommand("SELECT COALESCE(max(seq), 0) FROM messages WHERE room = ''", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
