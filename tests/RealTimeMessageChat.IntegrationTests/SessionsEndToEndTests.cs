using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>Login sessions on the real servers: logout and ending a session close the TCP sessions on every MainServer, and the token is refused everywhere.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SessionsEndToEndTests(TestServicesFixture services)
{
    [Fact]
    public async Task Logout_ClosesTheTcpSessionOnEachOfTwoMainServers_AndTheTokenIsRefusedByApiAndHandshake()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct, mainServers: 2);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "lo_" + system.Id;
        const string password = "logout pass 1";
        string ended = await api.RegisterAndLoginAsync(user, password, ct);
        string kept = await LoginAsync(api, user, password, ct);
        int[] ports = [.. system.MainServers.Select(s => s.TcpPort)];
        var onEndedToken = new List<TestFrameClient>();
        foreach (int port in ports)
        {
            onEndedToken.Add(await HandshakeAsync(port, user, ended, expectAccepted: true, ct));
        }

        await using ChatClient keeper = await ChatClient.ConnectAsync(ports[1], user, kept, ct);

        // The session is in Redis with the token's lifetime (jwt_expiry_minutes, 60 by default).
        JsonArray sessions = (await GetJsonAsync(api, kept, "/api/v1/auth/sessions", ct))["sessions"]!.AsArray();
        Assert.Equal(2, sessions.Count);
        IDatabase redis = (await system.RedisAsync()).Multiplexer.GetDatabase(system.StatusDatabase);
        foreach (JsonNode? session in sessions)
        {
            TimeSpan? ttl = await redis.KeyTimeToLiveAsync("auth_session:" + (string)session!["session_id"]!);
            Assert.True(ttl is { } t && t > TimeSpan.FromMinutes(58) && t <= TimeSpan.FromMinutes(60), $"TTL {ttl}");
        }

        var watch = Stopwatch.StartNew();
        using (HttpResponseMessage logout = await SendAsync(api, HttpMethod.Post, "/api/v1/auth/logout", ended, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        foreach (TestFrameClient client in onEndedToken)
        {
            JsonObject error = await client.ReceiveCommandAsync("error", ct);
            Assert.Equal("session ended: logout", (string?)error["message"]);
            Assert.True(await client.WaitForCloseAsync(ct));
        }

        TimeSpan closedAfter = watch.Elapsed;
        Assert.True(closedAfter < TimeSpan.FromSeconds(1), $"closed after {closedAfter.TotalMilliseconds:F0} ms");

        using (HttpResponseMessage publish = await api.PublishAsync(ended, new { content = "after logout" }, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, publish.StatusCode);
        }

        foreach (int port in ports)
        {
            await using TestFrameClient refused = await HandshakeAsync(port, user, ended, expectAccepted: false, ct);
        }

        // The other session of the same user is untouched.
        await api.PublishAcceptedAsync(kept, "still here", ct);
        await PipelineEndToEndTests.WithTails(system, keeper.ReceiveUntilAsync(1, ct));
        Assert.Equal("still here", keeper.Received.Single().Data);
        foreach (TestFrameClient client in onEndedToken)
        {
            await client.DisposeAsync();
        }

        // DELETE /api/v1/auth/sessions/{id} ends another of my sessions the same way.
        string third = await LoginAsync(api, user, password, ct);
        await using TestFrameClient onThird = await HandshakeAsync(ports[0], user, third, expectAccepted: true, ct);
        string thirdId = (string)(await GetJsonAsync(api, third, "/api/v1/auth/sessions", ct))["sessions"]!.AsArray()
            .Single(s => (bool)s!["current"]!)!["session_id"]!;
        using (HttpResponseMessage deleted = await SendAsync(api, HttpMethod.Delete, $"/api/v1/auth/sessions/{thirdId}", kept, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal("session ended: ended", (string?)(await onThird.ReceiveCommandAsync("error", ct))["message"]);
        Assert.True(await onThird.WaitForCloseAsync(ct));
        Assert.False(await redis.KeyExistsAsync("auth_session:" + thirdId));
    }

    [Fact]
    public async Task UserClientConsole_ItsSessionEnded_SaysSoAndExitsWithThree()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "uc_" + system.Id;
        const string password = "console pass 1";
        string mine = await api.RegisterAndLoginAsync(user, password, ct);
        AppProcess console = system.Launch(
            "UserClient",
            new() { ["RTMC_SERVER_PORT"] = $"{system.MainServers[0].TcpPort}", ["RTMC_REST_API_URL"] = system.RestApiUrl, ["RTMC_PASSWORD"] = password },
            $"--user {user}",
            redirectInput: true);

        // Connected once a typed line comes back on its stdout (stdout carries chat lines only).
        for (int probe = 0; ; probe++)
        {
            await console.WriteLineAsync($"probe {probe}");
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                while (!(await console.StdoutLines.ReadAsync(wait.Token)).EndsWith($"{user}: probe {probe}", StringComparison.Ordinal))
                {
                }

                break;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
        }

        string consoleSession = (string)(await GetJsonAsync(api, mine, "/api/v1/auth/sessions", ct))["sessions"]!.AsArray()
            .Single(s => !(bool)s!["current"]!)!["session_id"]!;
        using (HttpResponseMessage deleted = await SendAsync(api, HttpMethod.Delete, $"/api/v1/auth/sessions/{consoleSession}", mine, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var exit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        exit.CancelAfter(TimeSpan.FromSeconds(10));
        while (!console.HasExited)
        {
            await Task.Delay(50, exit.Token);
        }

        Assert.True(console.ExitCode == 3, console.Tail());
        Assert.Contains("The server ended this session (session ended: ended); not reconnecting.", console.Tail(), StringComparison.Ordinal);
        Assert.Single((await GetJsonAsync(api, mine, "/api/v1/auth/sessions", ct))["sessions"]!.AsArray());
    }

    internal static async Task<TestFrameClient> HandshakeAsync(int port, string user, string token, bool expectAccepted, CancellationToken ct)
    {
        TestFrameClient client = await TestFrameClient.ConnectAsync("127.0.0.1", port, ct);
        await client.SendAsync(new { command = "connection", id = user, token, sub_id = "" }, ct);
        JsonObject reply = await client.ReceiveCommandAsync("connection", ct);
        Assert.True((bool?)reply["condition"] == expectAccepted, reply.ToJsonString());
        if (!expectAccepted)
        {
            Assert.Equal("session ended", (string?)reply["error"]);
            Assert.True(await client.WaitForCloseAsync(ct));
        }

        return client;
    }

    internal static async Task<string> LoginAsync(ChatApi api, string user, string password, CancellationToken ct)
    {
        using HttpResponseMessage login = await api.Http.PostAsJsonAsync("/api/v1/auth/login", new { user_id = user, password }, ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (string)(await login.Content.ReadFromJsonAsync<JsonObject>(ct))!["token"]!;
    }

    internal static async Task<HttpResponseMessage> SendAsync(ChatApi api, HttpMethod method, string path, string token, CancellationToken ct, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await api.Http.SendAsync(request, ct);
    }

    internal static async Task<JsonObject> GetJsonAsync(ChatApi api, string token, string path, CancellationToken ct)
    {
        using HttpResponseMessage response = await SendAsync(api, HttpMethod.Get, path, token, ct);
        string text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
