namespace RealTimeMessageChat.IntegrationTests;

[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ScaleOutAndRestartTests(TestServicesFixture services)
{
    [Fact]
    public async Task TwoMainServers_OneRedis_ClientsOnBothReceiveEverything()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, mainServers: 2);
        using var api = new ChatApi(system.RestApiUrl);
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string alice = "alice_" + system.Id, bob = "bob_" + system.Id;
        string aliceToken = await api.RegisterAndLoginAsync(alice, password, ct);
        string bobToken = await api.RegisterAndLoginAsync(bob, password, ct);
        await using ChatClient onFirst = await ChatClient.ConnectAsync(system.MainServers[0].TcpPort, alice, aliceToken, ct);
        await using ChatClient onSecond = await ChatClient.ConnectAsync(system.MainServers[1].TcpPort, bob, bobToken, ct);
        const int Count = 60;

        for (int i = 0; i < Count; i++)
        {
            await api.PublishAcceptedAsync(i % 2 == 0 ? aliceToken : bobToken, $"m{i}", ct);
        }

        await PipelineEndToEndTests.WithTails(system, Task.WhenAll(onFirst.ReceiveUntilAsync(Count, ct), onSecond.ReceiveUntilAsync(Count, ct)));

        long[] expected = [.. Enumerable.Range(1, Count).Select(i => (long)i)];
        Assert.Equal(expected, onFirst.Received.Select(b => b.Seq));
        Assert.Equal(expected, onSecond.Received.Select(b => b.Seq));
        Assert.Equal(onFirst.Received.Select(b => b.MessageId), onSecond.Received.Select(b => b.MessageId));
    }

    [Fact]
    public async Task MainServerRestart_MidStream_ClientResumingWithLastSeqGetsEveryMessageOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "resume_" + system.Id;
        string token = await api.RegisterAndLoginAsync(user, "pw-" + Guid.NewGuid().ToString("N"), ct);
        MainServerInstance server = system.MainServers[0];
        const int Total = 150;
        var received = new List<Broadcast>();

        ChatClient client = await ChatClient.ConnectAsync(server.TcpPort, user, token, ct);
        Task publishing = Task.Run(
            async () =>
            {
                for (int i = 0; i < Total; i++)
                {
                    await api.PublishAcceptedAsync(token, $"m{i}", ct);
                    await Task.Delay(10, ct);
                }
            },
            ct);
        await PipelineEndToEndTests.WithTails(system, client.ReceiveUntilAsync(30, ct));

        // Stop the server while messages keep flowing; whatever this connection had not read yet is lost to it.
        Task<int> stopping = server.Process.StopAsync(TimeSpan.FromSeconds(20));
        await client.ReceiveUntilClosedAsync(ct);
        int exitCode = await stopping;
        received.AddRange(client.Received);
        await client.DisposeAsync();
        long lastSeq = received[^1].Seq;

        await system.StartMainServerAsync(ct, server.TcpPort);
        await using ChatClient resumed = await ChatClient.ConnectAsync(server.TcpPort, user, token, ct, lastSeq);
        await publishing;
        await PipelineEndToEndTests.WithTails(system, resumed.ReceiveUntilAsync(Total - (int)lastSeq, ct));
        received.AddRange(resumed.Received);

        Assert.Equal(0, exitCode);
        Assert.True(lastSeq is > 0 and < Total, $"the restart should fall mid-stream, last seq before it was {lastSeq}");
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), received.Select(b => b.Seq));
        Assert.Equal(Enumerable.Range(0, Total).Select(i => $"m{i}"), received.Select(b => b.Data));
    }

    [Fact]
    public async Task ConsumerRestart_MidStream_NothingAcceptedIsLostOrDoubled()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "cons_" + system.Id;
        string token = await api.RegisterAndLoginAsync(user, "pw-" + Guid.NewGuid().ToString("N"), ct);
        await using ChatClient client = await ChatClient.ConnectAsync(system.MainServers[0].TcpPort, user, token, ct);
        const int Total = 120;

        for (int i = 0; i < Total / 2; i++)
        {
            await api.PublishAcceptedAsync(token, $"m{i}", ct);
        }

        Assert.Equal(0, await system.Consumer!.StopAsync(TimeSpan.FromSeconds(20)));
        for (int i = Total / 2; i < Total; i++)
        {
            // Accepted by the API while no consumer runs: RabbitMQ holds them.
            await api.PublishAcceptedAsync(token, $"m{i}", ct);
        }

        int health = FreePort.Next();
        AppProcess restarted = system.Launch("MainServerConsumer", new() { ["RTMC_HEALTH_PORT"] = $"{health}" });
        await restarted.WaitUntilReadyAsync($"http://127.0.0.1:{health}/health/ready", ct);
        await PipelineEndToEndTests.WithTails(system, client.ReceiveUntilAsync(Total, ct));

        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), client.Received.Select(b => b.Seq));
        Assert.Equal(Enumerable.Range(0, Total).Select(i => $"m{i}"), client.Received.Select(b => b.Data));
        Assert.Equal(Total, await PipelineEndToEndTests.WaitForStoredAsync(system, Total, ct));
    }

    [Fact]
    public async Task RedisLosesItsData_ConsumerRestarts_NumberingContinuesAfterPostgres_NothingSkipped()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "loss_" + system.Id;
        string token = await api.RegisterAndLoginAsync(user, "pw-" + Guid.NewGuid().ToString("N"), ct);
        await using ChatClient client = await ChatClient.ConnectAsync(system.MainServers[0].TcpPort, user, token, ct);
        for (int i = 0; i < 5; i++)
        {
            await api.PublishAcceptedAsync(token, $"before {i}", ct);
        }

        await PipelineEndToEndTests.WithTails(system, client.ReceiveUntilAsync(5, ct));
        Assert.Equal(5, await PipelineEndToEndTests.WaitForStoredAsync(system, 5, ct));

        // Redis restarted without its append-only file: the counters and streams are gone.
        Assert.Equal(0, await system.Consumer!.StopAsync(TimeSpan.FromSeconds(20)));
        StackExchange.Redis.IDatabase redis = await system.RedisAsync();
        await redis.ExecuteAsync("FLUSHDB");
        int health = FreePort.Next();
        AppProcess restarted = system.Launch("MainServerConsumer", new() { ["RTMC_HEALTH_PORT"] = $"{health}" });
        await restarted.WaitUntilReadyAsync($"http://127.0.0.1:{health}/health/ready", ct);

        for (int i = 0; i < 3; i++)
        {
            await api.PublishAcceptedAsync(token, $"after {i}", ct);
        }

        await PipelineEndToEndTests.WithTails(system, client.ReceiveUntilAsync(8, ct));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), client.Received.Select(b => b.Seq));
        Assert.Equal(8, await PipelineEndToEndTests.WaitForStoredAsync(system, 8, ct));
        await using var connection = system.OpenDatabase();
        await using var command = new Npgsql.NpgsqlCommand("SELECT string_agg(content, ',' ORDER BY seq) FROM messages", connection);
        Assert.Equal("before 0,before 1,before 2,before 3,before 4,after 0,after 1,after 2", (string?)await command.ExecuteScalarAsync(ct));
    }
}
