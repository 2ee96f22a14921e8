using System.Text.Json;
using RealTimeMessageChat.MainServer.Tests.Support;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class HandshakeTests
{
    [Fact]
    public async Task Connect_ValidToken_RepliesWithSessionAndNewestSeq()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var log = new FakeMessageLog();
        log.Append("one");
        log.Append("two");
        log.Append("three");
        await using TestServer server = await TestServer.StartAsync(cts.Token, log: log);
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendConnectAsync("bob", server.IssueToken("bob"), cts.Token);
        JsonElement reply = await client.ReadFrameAsync(cts.Token);

        Assert.Equal("connection", reply.Command());
        Assert.Equal("bob", reply.GetProperty("id").GetString());
        Assert.True(reply.GetProperty("condition").GetBoolean());
        Assert.Matches("^[0-9a-f]{32}$", reply.GetProperty("sub_id").GetString());
        Assert.Equal(string.Empty, reply.GetProperty("key").GetString());
        Assert.Equal(string.Empty, reply.GetProperty("iv").GetString());
        Assert.False(reply.GetProperty("encrypt_mode").GetBoolean());
        Assert.Equal(3, reply.GetProperty("last_seq").GetInt64());
        Assert.False(reply.TryGetProperty("error", out _));
        await client.AssertNothingPendingAsync(cts.Token);
        Assert.Contains(server.Presence.Calls, c => c == $"online:bob:{reply.GetProperty("sub_id").GetString()}");
    }

    [Fact]
    public async Task Connect_InvalidToken_RepliesConditionFalseAndCloses()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendConnectAsync("bob", "not-a-jwt", cts.Token);
        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        JsonElement reply = Assert.Single(frames);
        Assert.Equal("connection", reply.Command());
        Assert.False(reply.GetProperty("condition").GetBoolean());
        Assert.False(string.IsNullOrEmpty(reply.GetProperty("error").GetString()));
        Assert.False(reply.TryGetProperty("sub_id", out _));
    }

    [Fact]
    public async Task Connect_TokenOfAnotherUser_RepliesConditionFalseAndCloses()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendConnectAsync("bob", server.IssueToken("mallory"), cts.Token);
        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        JsonElement reply = Assert.Single(frames);
        Assert.False(reply.GetProperty("condition").GetBoolean());
        Assert.Equal("token does not belong to this id", reply.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Connect_NegativeLastSeq_RepliesConditionFalseNamingIt()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendConnectAsync("bob", server.IssueToken("bob"), cts.Token, lastSeq: -1);
        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        JsonElement reply = Assert.Single(frames);
        Assert.False(reply.GetProperty("condition").GetBoolean());
        Assert.Equal("last_seq must be 0 or more", reply.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("\"abc\"", "last_seq")]
    [InlineData("1.5", "last_seq")]
    [InlineData("[1]", "token")]
    public async Task Connect_FieldOfTheWrongType_ErrorNamesTheFieldNotTheSerializer(string value, string field)
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);
        string token = field == "token" ? value : $"\"{server.IssueToken("bob")}\"";
        string lastSeq = field == "last_seq" ? value : "0";

        await client.SendPayloadAsync(System.Text.Encoding.UTF8.GetBytes(
            $"{{\"command\":\"connection\",\"id\":\"bob\",\"token\":{token},\"sub_id\":\"\",\"last_seq\":{lastSeq}}}"), cts.Token);
        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        JsonElement reply = Assert.Single(frames);
        Assert.Equal("error", reply.Command());
        string message = reply.GetProperty("message").GetString()!;
        Assert.Equal($"Invalid \"connection\" frame: field '{field}' has the wrong type or value", message);
    }

    [Fact]
    public async Task CommandBeforeConnect_RepliesErrorAndCloses()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendCommandAsync("heartbeat:ping", cts.Token);
        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        JsonElement reply = Assert.Single(frames);
        Assert.Equal("error", reply.Command());
        Assert.False(string.IsNullOrEmpty(reply.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Disconnect_AfterConnect_MarksSessionOffline()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        TestClient client = await server.ConnectClientAsync("carol", cts.Token);

        await client.DisposeAsync();
        string offline = await server.Presence.WentOffline.Task.WaitAsync(cts.Token);

        Assert.StartsWith("carol:", offline, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_PresenceStoreFailing_StillConnectsAndWorks()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        server.Presence.Fail = true;

        await using TestClient client = await server.ConnectClientAsync("dave", cts.Token);
        server.Log.Append("hello");

        Assert.Equal([1L], await client.ReadBroadcastSeqsAsync(1, cts.Token));
    }
}
