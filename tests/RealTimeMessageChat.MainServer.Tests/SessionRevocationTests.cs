using System.Text.Json;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.MainServer.Tests.Support;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class SessionRevocationTests
{
    // user_status frames would come between the frames these tests look at.
    private static readonly Dictionary<string, string?> Settings = new() { ["presence_broadcast"] = "false" };

    [Fact]
    public async Task SessionEnded_ClosesOnlyItsConnectionsWithTheReason()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token, Settings);
        IssuedToken ended = server.IssueSession("bob");
        IssuedToken kept = server.IssueSession("bob");
        await using TestClient first = await OpenAuthenticatedAsync(server, "bob", ended.Token, cts.Token);
        await using TestClient second = await OpenAuthenticatedAsync(server, "bob", kept.Token, cts.Token);

        Assert.True(await server.Sessions.EndAsync("bob", ended.TokenId, "logout", cts.Token));
        List<JsonElement> frames = await first.ReadUntilClosedAsync(cts.Token);

        JsonElement error = Assert.Single(frames);
        Assert.Equal("error", error.Command());
        Assert.Equal("session ended: logout", error.GetProperty("message").GetString());
        await second.AssertNothingPendingAsync(cts.Token);
        await second.SendCommandAsync("heartbeat:ping", cts.Token);
        Assert.Equal("heartbeat:pong", (await second.ReadFrameAsync(cts.Token)).Command());
    }

    [Fact]
    public async Task UserSessionsEnded_ClosesEveryConnectionOfTheUser()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token, Settings);
        await using TestClient first = await OpenAuthenticatedAsync(server, "carol", server.IssueToken("carol"), cts.Token);
        await using TestClient second = await OpenAuthenticatedAsync(server, "carol", server.IssueToken("carol"), cts.Token);
        await using TestClient other = await OpenAuthenticatedAsync(server, "dave", server.IssueToken("dave"), cts.Token);

        Assert.Equal(2, await server.Sessions.EndAllAsync("carol", "banned", cts.Token));

        foreach (TestClient client in new[] { first, second })
        {
            JsonElement error = Assert.Single(await client.ReadUntilClosedAsync(cts.Token));
            Assert.Equal("session ended: banned", error.GetProperty("message").GetString());
        }

        await other.AssertNothingPendingAsync(cts.Token);
    }

    [Fact]
    public async Task Connect_TokenWhoseSessionEnded_RepliesConditionFalseAndCloses()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token, Settings);
        IssuedToken token = server.IssueSession("erin");
        await server.Sessions.EndAsync("erin", token.TokenId, "logout", cts.Token);
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendConnectAsync("erin", token.Token, cts.Token);
        JsonElement reply = Assert.Single(await client.ReadUntilClosedAsync(cts.Token));

        Assert.False(reply.GetProperty("condition").GetBoolean());
        Assert.Equal("session ended", reply.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Connect_SessionStoreDown_IsRefusedNotLetThrough()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token, Settings);
        string token = server.IssueToken("frank");
        server.Sessions.Down = true;
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendConnectAsync("frank", token, cts.Token);
        JsonElement reply = Assert.Single(await client.ReadUntilClosedAsync(cts.Token));

        Assert.False(reply.GetProperty("condition").GetBoolean());
        Assert.Equal("session check unavailable", reply.GetProperty("error").GetString());
    }

    private static async Task<TestClient> OpenAuthenticatedAsync(TestServer server, string userId, string token, CancellationToken cancellationToken)
    {
        TestClient client = await TestClient.OpenAsync(server.EndPoint, cancellationToken);
        await client.SendConnectAsync(userId, token, cancellationToken);
        Assert.True((await client.ReadFrameAsync(cancellationToken)).GetProperty("condition").GetBoolean());
        return client;
    }
}
