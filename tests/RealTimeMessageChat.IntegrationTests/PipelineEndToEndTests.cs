using System.Net;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using StackExchange.Redis;
using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.IntegrationTests;

[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public class PipelineEndToEndTests(TestServicesFixture services)
{
    private const int Users = 5;
    private const int MessagesPerUser = 40;

    /// <summary>The Redis the system runs on: null for the services' single Redis; a derived class gives a cluster.</summary>
    protected virtual RedisEndpoint? RedisCluster => null;

    protected Task<ChatSystem> StartSystemAsync(CancellationToken ct, int mainServers = 1) =>
        ChatSystem.StartAsync(services.Require(), ct, mainServers, redisCluster: RedisCluster);

    [Fact]
    public async Task Pipeline_200MessagesFrom5ConcurrentSenders_EveryClientGetsAllOnceInSeqOrder()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct);
        using var api = new ChatApi(system.RestApiUrl);
        string[] users = [.. Enumerable.Range(0, Users).Select(i => $"user{i}_{system.Id}")];
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string[] tokens = await Task.WhenAll(users.Select(u => api.RegisterAndLoginAsync(u, password, ct)));
        int port = system.MainServers[0].TcpPort;
        var clients = new List<ChatClient>();
        for (int i = 0; i < Users; i++)
        {
            clients.Add(await ChatClient.ConnectAsync(port, users[i], tokens[i], ct));
        }

        var receiving = clients.Select(c => c.ReceiveUntilAsync(Users * MessagesPerUser, ct)).ToList();
        var started = System.Diagnostics.Stopwatch.StartNew();
        Guid[][] ids = await Task.WhenAll(Enumerable.Range(0, Users).Select(async u =>
        {
            var sent = new Guid[MessagesPerUser];
            for (int m = 0; m < MessagesPerUser; m++)
            {
                sent[m] = await api.PublishAcceptedAsync(tokens[u], $"message {m} from {users[u]}", ct);
            }

            return sent;
        }));
        await WithTails(system, Task.WhenAll(receiving));
        TestContext.Current.SendDiagnosticMessage($"200 messages published and delivered to 5 clients in {started.ElapsedMilliseconds} ms");

        var allIds = ids.SelectMany(x => x).ToHashSet();
        Assert.Equal(Users * MessagesPerUser, allIds.Count);
        foreach (ChatClient client in clients)
        {
            Assert.Equal(Enumerable.Range(1, Users * MessagesPerUser).Select(i => (long)i), client.Received.Select(b => b.Seq));
            Assert.True(allIds.SetEquals(client.Received.Select(b => b.MessageId)), $"{client.UserId} got a different set of message ids");
            foreach (string user in users)
            {
                // Per-sender order survives: each sender published sequentially, so its messages keep their order.
                var mine = client.Received.Where(b => b.Sender == user).Select(b => b.Data).ToList();
                Assert.Equal(Enumerable.Range(0, MessagesPerUser).Select(m => $"message {m} from {user}"), mine);
            }
        }

        IDatabase redis = await system.RedisAsync();
        Assert.Equal(Users * MessagesPerUser, await redis.StreamLengthAsync(RedisKeys.GlobalStream));
        Assert.Equal(Users * MessagesPerUser, (long)await redis.StringGetAsync(RedisKeys.Sequence(string.Empty)));

        (uint ready, uint deadLettered) = await QueueCountsAsync(system, ct);
        Assert.Equal(0u, ready);
        Assert.Equal(0u, deadLettered);

        long stored = await WaitForStoredAsync(system, Users * MessagesPerUser, ct);
        Assert.Equal(Users * MessagesPerUser, stored);

        foreach (ChatClient client in clients)
        {
            await client.DisposeAsync();
        }

        var exitCodes = await system.StopAllAsync();
        Assert.All(exitCodes, pair => Assert.True(pair.Value == 0, $"{pair.Key} exited with {pair.Value}{Environment.NewLine}{system.Tails()}"));
    }

    [Fact]
    public async Task Publish_SameMessageIdTwice_BothAcceptedButBroadcastAndStoredOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "dup_" + system.Id;
        string token = await api.RegisterAndLoginAsync(user, "pw-" + Guid.NewGuid().ToString("N"), ct);
        await using ChatClient client = await ChatClient.ConnectAsync(system.MainServers[0].TcpPort, user, token, ct);
        var messageId = Guid.NewGuid();

        using HttpResponseMessage first = await api.PublishAsync(token, new { content = "once", message_id = messageId }, ct);
        using HttpResponseMessage second = await api.PublishAsync(token, new { content = "once", message_id = messageId }, ct);
        await api.PublishAcceptedAsync(token, "after", ct);
        await WithTails(system, client.ReceiveUntilAsync(2, ct));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(messageId.ToString(), (string?)JsonNode.Parse(await second.Content.ReadAsStringAsync(ct))!["message_id"]);
        Assert.Equal(["once", "after"], client.Received.Select(b => b.Data));
        Assert.Equal([1L, 2L], client.Received.Select(b => b.Seq));
        Assert.Equal(2, await WaitForStoredAsync(system, 2, ct));
    }

    internal static async Task WithTails(ChatSystem system, Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"{ex.Message}{Environment.NewLine}{system.Tails()}", ex);
        }
    }

    internal static async Task<T> WithTailsResult<T>(ChatSystem system, Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"{ex.Message}{Environment.NewLine}{system.Tails()}", ex);
        }
    }

    internal static async Task<(uint Ready, uint DeadLettered)> QueueCountsAsync(ChatSystem system, CancellationToken ct)
    {
        await using IConnection connection = await system.ConnectRabbitMqAsync(ct);
        await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: ct);
        QueueDeclareOk main = await channel.QueueDeclarePassiveAsync(system.Queue, ct);
        QueueDeclareOk dead = await channel.QueueDeclarePassiveAsync(system.Queue + ".dead_letter", ct);
        return (main.MessageCount, dead.MessageCount);
    }

    /// <summary>PostgreSQL is written behind delivery; wait until it holds <paramref name="expected"/> rows (or time runs out).</summary>
    internal static async Task<long> WaitForStoredAsync(ChatSystem system, long expected, CancellationToken ct)
    {
        long count = 0;
        for (int attempt = 0; attempt < 100 && !ct.IsCancellationRequested; attempt++)
        {
            await using var connection = system.OpenDatabase();
            await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM messages", connection);
            count = (long)(await command.ExecuteScalarAsync(ct))!;
            if (count >= expected)
            {
                return count;
            }

            await Task.Delay(100, ct);
        }

        return count;
    }
}
