using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using RabbitMQ.Client;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>Bans and chat-bans on the real servers: at the API, on every MainServer, in the consumer, and in the audit table.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ModerationEndToEndTests(TestServicesFixture services)
{
    [Fact]
    public async Task BanAndChatBan_TakeEffectAtTheApiOnBothServersAndInTheConsumer_AndAreAudited()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, mainServers: 2);
        using var api = new ChatApi(system.RestApiUrl);
        string admin = "adm_" + system.Id, bob = "bob_" + system.Id, carol = "car_" + system.Id;
        const string password = "moderation pass";
        // The first admin comes from the RestApi's admin verb (what ./build.sh admin create runs):
        // no default password, so a missing or short one is refused with exit code 2.
        AppProcess refused = system.Launch("RestApi", [], $"admin create {admin}", redirectInput: true);
        await refused.WriteLineAsync("short");
        Assert.Equal(2, await ExitCodeAsync(refused, ct));
        AppProcess create = system.Launch("RestApi", new() { ["RTMC_ADMIN_PASSWORD"] = password }, $"admin create {admin}");
        Assert.True(await ExitCodeAsync(create, ct) == 0, create.Tail());

        string adminToken = await SessionsEndToEndTests.LoginAsync(api, admin, password, ct);
        string bobToken = await api.RegisterAndLoginAsync(bob, password, ct);
        string carolToken = await api.RegisterAndLoginAsync(carol, password, ct);
        int[] ports = [.. system.MainServers.Select(s => s.TcpPort)];
        var bobClients = new List<TestFrameClient>();
        foreach (int port in ports)
        {
            bobClients.Add(await SessionsEndToEndTests.HandshakeAsync(port, bob, bobToken, expectAccepted: true, ct));
        }

        await using ChatClient carolClient = await ChatClient.ConnectAsync(ports[1], carol, carolToken, ct);

        // Carol has published once, so every process has her (unbanned) account cached.
        await api.PublishAcceptedAsync(carolToken, "before the chat-ban", ct);
        await PipelineEndToEndTests.WithTails(system, carolClient.ReceiveUntilAsync(1, ct));

        // Only admins moderate.
        using (HttpResponseMessage notAdmin = await ModerateAsync(api, bobToken, carol, "ban", ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }

        // Ban: bob's live sessions close on both servers, he cannot log in, his token is dead.
        using (HttpResponseMessage ban = await ModerateAsync(api, adminToken, bob, "ban", ct, reason: "spam"))
        {
            Assert.Equal(HttpStatusCode.NoContent, ban.StatusCode);
        }

        foreach (TestFrameClient client in bobClients)
        {
            Assert.Equal("session ended: banned", (string?)(await client.ReceiveCommandAsync("error", ct))["message"]);
            Assert.True(await client.WaitForCloseAsync(ct));
            await client.DisposeAsync();
        }

        using (HttpResponseMessage login = await api.Http.PostAsync("/api/v1/auth/login", Json(new JsonObject { ["user_id"] = bob, ["password"] = password }), ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        }

        using (HttpResponseMessage publish = await api.PublishAsync(bobToken, new { content = "banned" }, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, publish.StatusCode);
        }

        // Chat-ban: carol stays connected but may not publish.
        using (HttpResponseMessage chatBan = await ModerateAsync(api, adminToken, carol, "chat-ban", ct, reason: "flooding"))
        {
            Assert.Equal(HttpStatusCode.NoContent, chatBan.StatusCode);
        }

        using (HttpResponseMessage publish = await api.PublishAsync(carolToken, new { content = "muted" }, ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, publish.StatusCode);
            Assert.Contains("chat-banned", await publish.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        // Messages queued before the bans reached the consumer (published straight to the queue,
        // as the API did a moment earlier) are dead-lettered with the reason, not broadcast.
        Dictionary<string, string> deadLetters = await PublishAndReadDeadLettersAsync(system, [carol, bob], ct);
        Assert.Equal("sender is chat-banned", deadLetters[carol]);
        Assert.Equal("sender is banned", deadLetters[bob]);

        using (HttpResponseMessage unban = await ModerateAsync(api, adminToken, carol, "chat-unban", ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, unban.StatusCode);
        }

        await api.PublishAcceptedAsync(carolToken, "after the chat-unban", ct);
        await PipelineEndToEndTests.WithTails(system, carolClient.ReceiveUntilAsync(2, ct));
        Assert.Equal(["before the chat-ban", "after the chat-unban"], carolClient.Received.Select(m => m.Data));
        Assert.Equal([1L, 2L], carolClient.Received.Select(m => m.Seq));

        // The admin list shows the flags; the audit table has who, what, when and why.
        JsonArray users = (await SessionsEndToEndTests.GetJsonAsync(api, adminToken, "/api/v1/admin/users?limit=500", ct))["users"]!.AsArray();
        JsonNode bobRow = users.Single(u => (string)u!["user_id"]! == bob)!;
        Assert.True((bool)bobRow["is_banned"]!);
        Assert.False((bool)users.Single(u => (string)u!["user_id"]! == carol)!["is_chat_banned"]!);
        Assert.True((bool)users.Single(u => (string)u!["user_id"]! == admin)!["is_admin"]!);
        await using (var db = system.OpenDatabase())
        {
            var audit = (await db.QueryAsync<(string Actor, string Action, string Target, string? Reason, DateTime At)>(
                "SELECT actor_id, action, target_id, reason, created_at FROM moderation_audit ORDER BY id")).ToList();
            Assert.Equal(
                [("cli", "create-admin", admin, "admin create"), (admin, "ban", bob, "spam"), (admin, "chat-ban", carol, "flooding"), (admin, "chat-unban", carol, null)],
                audit.Select(a => (a.Actor, a.Action, a.Target, a.Reason)));
            Assert.All(audit, a => Assert.True(DateTime.UtcNow - a.At.ToUniversalTime() < TimeSpan.FromMinutes(5)));
        }
    }

    private static async Task<int> ExitCodeAsync(AppProcess process, CancellationToken ct)
    {
        while (!process.HasExited)
        {
            await Task.Delay(50, ct);
        }

        return process.ExitCode;
    }

    private static Task<HttpResponseMessage> ModerateAsync(ChatApi api, string token, string target, string action, CancellationToken ct, string? reason = null) =>
        SessionsEndToEndTests.SendAsync(api, HttpMethod.Post, $"/api/v1/admin/users/{target}/{action}", token, ct, reason is null ? null : new { reason });

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>Publishes a valid body from each sender straight to the queue; returns sender → dead-letter reason.</summary>
    private static async Task<Dictionary<string, string>> PublishAndReadDeadLettersAsync(ChatSystem system, string[] senders, CancellationToken ct)
    {
        await using IConnection connection = await system.ConnectRabbitMqAsync(ct);
        await using IChannel channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct);
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        foreach (string sender in senders)
        {
            var body = new JsonObject
            {
                ["id"] = sender,
                ["sub_id"] = "",
                ["publisher_information"] = new JsonObject { ["message_id"] = Guid.NewGuid().ToString(), ["source"] = "restapi", ["priority"] = 2, ["metadata"] = new JsonObject(), ["created_at"] = 1763780000 },
                ["message"] = new JsonObject { ["command"] = "send_broadcast_message", ["content"] = "queued before the ban", ["timestamp"] = "2026-11-22T03:00:00Z" },
            };
            await channel.BasicPublishAsync(string.Empty, system.Queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body.ToJsonString()), ct);
        }

        var reasons = new Dictionary<string, string>();
        for (int attempt = 0; attempt < 100 && reasons.Count < senders.Length; attempt++)
        {
            BasicGetResult? dead = await channel.BasicGetAsync(system.Queue + ".dead_letter", autoAck: true, ct);
            if (dead is null)
            {
                await Task.Delay(100, ct);
                continue;
            }

            string sender = (string)JsonNode.Parse(Encoding.UTF8.GetString(dead.Body.Span))!["id"]!;
            object? header = dead.BasicProperties.Headers?["x-rtmc-dead-letter-reason"];
            reasons[sender] = header is byte[] bytes ? Encoding.UTF8.GetString(bytes) : header?.ToString() ?? string.Empty;
        }

        Assert.True(reasons.Count == senders.Length, "dead letters: " + string.Join(", ", reasons));
        return reasons;
    }
}
