using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// The pipeline with TLS on every hop, as <c>./build.sh run --tls</c> runs it: the <c>tls</c>
/// instance's Redis, RabbitMQ and PostgreSQL accept TLS only, RestApi serves HTTPS, the MainServer's
/// TCP is TLS, and every certificate is checked against the instance's local CA.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class TlsEndToEndTests
{
    private static readonly string[] TlsSettings =
    [
        "RTMC_REDIS_USE_SSL", "RTMC_RABBITMQ_USE_SSL", "RTMC_POSTGRES_USE_SSL", "RTMC_SSL_CA_PATH",
        "RTMC_USE_SSL", "RTMC_SSL_CERTIFICATE_PATH", "RTMC_SSL_KEY_PATH",
    ];

    /// <summary>Types probes until one comes back as a broadcast line (the console may still be connecting when the first is typed).</summary>
    private static async Task ProbeUntilPrintedAsync(AppProcess console, string user, CancellationToken ct)
    {
        for (int probe = 0; ; probe++)
        {
            await console.WriteLineAsync($"tls probe {probe}");
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await foreach (string line in console.StdoutLines.ReadAllAsync(wait.Token))
                {
                    if (line.EndsWith($"{user}: tls probe {probe}", StringComparison.Ordinal))
                    {
                        return;
                    }
                }

                throw new InvalidOperationException("the UserClient ended" + Environment.NewLine + console.Tail());
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
        }
    }

    [Fact]
    public async Task TlsOnEveryHop_MessagesFromThreeSenders_ReachEveryClientOnceInOrderAndAreStored()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = cts.Token;
        await using InstanceServices services = await InstanceServices.StartAsync("tls", new Dictionary<string, string>(), ct);
        Assert.NotNull(services.TlsCaPath);
        var environment = TlsSettings.ToDictionary(key => key, key => services.Environment[key]);
        await using ChatSystem system = await ChatSystem.StartAsync(services.Endpoints, ct, mainServers: 1, environment);
        Assert.StartsWith("https://", system.RestApiUrl, StringComparison.Ordinal);

        using var api = new ChatApi(system.RestApiUrl, system.TlsCaPath);
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string[] users = [.. Enumerable.Range(0, 3).Select(i => $"tls{i}_{system.Id}")];
        string[] tokens = await Task.WhenAll(users.Select(u => api.RegisterAndLoginAsync(u, password, ct)));
        int port = system.MainServers[0].TcpPort;
        var clients = new List<ChatClient>();
        for (int i = 0; i < users.Length; i++)
        {
            clients.Add(await ChatClient.ConnectAsync(port, users[i], tokens[i], ct, tlsCaPath: system.TlsCaPath));
        }

        const int PerSender = 20;
        var receiving = clients.Select(c => c.ReceiveUntilAsync(users.Length * PerSender, ct)).ToList();
        await Task.WhenAll(Enumerable.Range(0, users.Length).Select(async u =>
        {
            for (int m = 0; m < PerSender; m++)
            {
                await api.PublishAcceptedAsync(tokens[u], $"tls {m} from {users[u]}", ct);
            }
        }));
        await PipelineEndToEndTests.WithTails(system, Task.WhenAll(receiving));

        long[] expected = [.. Enumerable.Range(1, users.Length * PerSender).Select(i => (long)i)];
        foreach (ChatClient client in clients)
        {
            Assert.Equal(expected, client.Received.Select(b => b.Seq));
        }

        Assert.Equal(users.Length * PerSender, await PipelineEndToEndTests.WaitForStoredAsync(system, users.Length * PerSender, ct));

        // Plaintext is refused at both doors, and the TLS clients keep being served.
        await using (TestFrameClient plain = await TestFrameClient.ConnectAsync("127.0.0.1", port, ct))
        {
            await plain.SendAsync(new { command = "connection", id = users[0], token = tokens[0], sub_id = "" }, ct);
            Assert.True(await plain.WaitForCloseAsync(ct));
        }

        using (var plainHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => plainHttp.GetAsync($"http://127.0.0.1:{system.RestApiPort}/health/live", ct));
        }

        // A client that does not trust the local CA is refused by its own check of the certificate.
        using (var untrusting = new HttpClient())
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => untrusting.GetAsync($"{system.RestApiUrl}/health/live", ct));
        }

        await api.PublishAcceptedAsync(tokens[0], "after the plaintext attempts", ct);
        await PipelineEndToEndTests.WithTails(system, Task.WhenAll(clients.Select(c => c.ReceiveUntilAsync((users.Length * PerSender) + 1, ct))));
        Assert.All(clients, c => Assert.Equal("after the plaintext attempts", c.Received[^1].Data));

        using HttpResponseMessage ready = await api.Http.GetAsync("/health/ready", ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        JsonObject? health = await ready.Content.ReadFromJsonAsync<JsonObject>(ct);
        Assert.NotNull(health);

        foreach (ChatClient client in clients)
        {
            await client.DisposeAsync();
        }

        // The UserClient console: logs in and publishes over HTTPS, receives over the MainServer's TLS.
        AppProcess console = system.Launch(
            "UserClient",
            new()
            {
                ["RTMC_SERVER_PORT"] = $"{port}",
                ["RTMC_REST_API_URL"] = system.RestApiUrl,
                ["RTMC_PASSWORD"] = password,
            },
            $"--user {users[1]}",
            redirectInput: true);
        await PipelineEndToEndTests.WithTails(system, ProbeUntilPrintedAsync(console, users[1], ct));
        Assert.Equal(0, await console.StopAsync(TimeSpan.FromSeconds(15)));

        IReadOnlyDictionary<string, int> exits = await system.StopAllAsync();
        Assert.All(exits, e => Assert.True(e.Value == 0, $"{e.Key} exited {e.Value}"));
    }
}
