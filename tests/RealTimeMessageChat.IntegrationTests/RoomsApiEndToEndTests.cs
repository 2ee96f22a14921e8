using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using RabbitMQ.Client;
using RealTimeMessageChat.Contracts.Rooms;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// Issue 8's rooms over HTTP on the real RestApi, consumer, PostgreSQL, Redis and RabbitMQ: who may
/// join, add and remove; publish and history only for members (checked again by the consumer,
/// which dead-letters a removed member's queued message); DMs; read receipts and unread counts.
/// No MainServer: the live-session side of membership is the MainServer's own tests' business.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public class RoomsApiEndToEndTests(TestServicesFixture services)
{
    private const string Password = "rooms api pass";

    /// <summary>The Redis the system runs on: null for the services' single Redis; a derived class gives a cluster.</summary>
    protected virtual RedisEndpoint? RedisCluster => null;

    private Task<ChatSystem> StartSystemAsync(CancellationToken ct) =>
        ChatSystem.StartAsync(services.Require(), ct, mainServers: 0, redisCluster: RedisCluster);

    [Fact]
    public async Task Rooms_JoinAddRemoveRules_PublishAndHistoryForMembersOnly_RemovedMembersQueuedMessageDeadLettered()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct);
        using var api = new ChatApi(system.RestApiUrl);
        string owner = "own_" + system.Id, bob = "bob_" + system.Id, carol = "car_" + system.Id;
        string ownerToken = await api.RegisterAndLoginAsync(owner, Password, ct);
        string bobToken = await api.RegisterAndLoginAsync(bob, Password, ct);
        string carolToken = await api.RegisterAndLoginAsync(carol, Password, ct);
        await api.CreateRoomAsync(ownerToken, "lobby", ct);
        await api.CreateRoomAsync(ownerToken, "staff", ct, visibility: "private");

        // Anyone joins a public room; a private one only through its owner (or an admin).
        await ExpectAsync(api.SendAsync(HttpMethod.Post, "/api/v1/rooms/lobby/members", bobToken, ct), HttpStatusCode.Created, ct);
        await ExpectAsync(api.SendAsync(HttpMethod.Post, "/api/v1/rooms/lobby/members", bobToken, ct), HttpStatusCode.OK, ct);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Post, "/api/v1/rooms/staff/members", bobToken, ct), HttpStatusCode.Forbidden, "room", ct);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Post, "/api/v1/rooms/staff/members", bobToken, ct, new { user_id = carol }), HttpStatusCode.Forbidden, "user_id", ct);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Post, "/api/v1/rooms/staff/members", ownerToken, ct, new { user_id = "nobody_" + system.Id }), HttpStatusCode.NotFound, "user_id", ct);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Post, "/api/v1/rooms/nowhere/members", bobToken, ct), HttpStatusCode.NotFound, "room", ct);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Get, "/api/v1/rooms/staff", bobToken, ct), HttpStatusCode.Forbidden, "room", ct);

        // Publishing: only members; an unknown room is 404.
        await ExpectProblemAsync(api.PublishAsync(carolToken, new { content = "let me in", sub_id = "staff" }, ct), HttpStatusCode.Forbidden, "sub_id", ct);
        await ExpectProblemAsync(api.PublishAsync(carolToken, new { content = "anyone?", sub_id = "nowhere" }, ct), HttpStatusCode.NotFound, "sub_id", ct);
        await api.AddMemberAsync(ownerToken, "staff", ct, userId: carol);
        await ExpectAsync(api.PublishAsync(carolToken, new { content = "carol in staff", sub_id = "staff" }, ct), HttpStatusCode.Accepted, ct);
        await ExpectAsync(api.PublishAsync(bobToken, new { content = "bob in lobby", sub_id = "lobby" }, ct), HttpStatusCode.Accepted, ct);

        JsonArray staffHistory = await HistoryAsync(api, ownerToken, "staff", 1, ct);
        Assert.Equal("carol in staff", (string?)staffHistory[0]!["content"]);
        Assert.Equal(1, (long)staffHistory[0]!["seq"]!);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Get, "/api/v1/messages?sub_id=staff", bobToken, ct), HttpStatusCode.Forbidden, "sub_id", ct);
        Assert.Equal("bob in lobby", (string?)(await HistoryAsync(api, bobToken, "lobby", 1, ct))[0]!["content"]);

        // Only the owner (or an admin) removes others; removed, carol may no longer publish, and
        // a message of hers already queued is dead-lettered by the consumer with the reason.
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Delete, $"/api/v1/rooms/staff/members/{owner}", carolToken, ct), HttpStatusCode.Forbidden, "user", ct);
        await ExpectAsync(api.SendAsync(HttpMethod.Delete, $"/api/v1/rooms/staff/members/{carol}", ownerToken, ct), HttpStatusCode.NoContent, ct);
        await ExpectProblemAsync(api.PublishAsync(carolToken, new { content = "still here?", sub_id = "staff" }, ct), HttpStatusCode.Forbidden, "sub_id", ct);
        Assert.Equal("sender is not a member of room staff", await PublishAndReadDeadLetterAsync(system, carol, "staff", ct));

        // Leaving yourself; the members list says who is left, and that nobody is online (no MainServer runs).
        await ExpectAsync(api.SendAsync(HttpMethod.Delete, $"/api/v1/rooms/lobby/members/{bob}", bobToken, ct), HttpStatusCode.NoContent, ct);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Delete, $"/api/v1/rooms/lobby/members/{bob}", bobToken, ct), HttpStatusCode.NotFound, "user", ct);
        JsonArray members = (await api.GetJsonAsync(carolToken, "/api/v1/rooms/lobby/members", ct))["members"]!.AsArray();
        JsonNode only = Assert.Single(members)!;
        Assert.Equal(owner, (string?)only["user_id"]);
        Assert.True((bool)only["is_owner"]!);
        Assert.False((bool)only["online"]!);

        // PostgreSQL holds exactly that; carol sees the public room but not the private one she left.
        await using (var db = system.OpenDatabase())
        {
            var rows = (await db.QueryAsync<(string Room, string User)>("SELECT room_id, user_id FROM room_members ORDER BY room_id, user_id")).ToList();
            Assert.Equal([("lobby", owner), ("staff", owner)], rows);
        }

        JsonArray carolRooms = (await api.GetJsonAsync(carolToken, "/api/v1/rooms", ct))["rooms"]!.AsArray();
        Assert.Equal(["lobby"], carolRooms.Select(r => (string)r!["room_id"]!));
        Assert.False((bool)carolRooms[0]!["is_member"]!);
    }

    [Fact]
    public async Task DirectMessages_OneRoomBothWays_WithHistory_AndReadsGiveUnreadCounts()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await StartSystemAsync(ct);
        using var api = new ChatApi(system.RestApiUrl);
        string alice = "ali_" + system.Id, bob = "bob_" + system.Id, carol = "car_" + system.Id;
        string aliceToken = await api.RegisterAndLoginAsync(alice, Password, ct);
        string bobToken = await api.RegisterAndLoginAsync(bob, Password, ct);
        string carolToken = await api.RegisterAndLoginAsync(carol, Password, ct);
        string dm = DirectRoomId.For(alice, bob);

        JsonObject first = await AcceptedAsync(api.SendAsync(HttpMethod.Post, "/api/v1/messages/direct", aliceToken, ct, new { to = bob, content = "hi bob" }), ct);
        Assert.Equal(dm, (string?)first["sub_id"]);
        await HistoryAsync(api, bobToken, dm, 1, ct);
        JsonObject second = await AcceptedAsync(api.SendAsync(HttpMethod.Post, "/api/v1/messages/direct", bobToken, ct, new { to = alice, content = "hi alice" }), ct);
        Assert.Equal(dm, (string?)second["sub_id"]);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Post, "/api/v1/messages/direct", aliceToken, ct, new { to = "nobody_" + system.Id, content = "?" }), HttpStatusCode.NotFound, "to", ct);

        JsonArray history = await HistoryAsync(api, aliceToken, dm, 2, ct);
        Assert.Equal([(1L, alice, "hi bob"), (2L, bob, "hi alice")], history.Select(m => ((long)m!["seq"]!, (string)m["id"]!, (string)m["content"]!)));
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Get, $"/api/v1/messages?sub_id={dm}", carolToken, ct), HttpStatusCode.Forbidden, "sub_id", ct);
        await ExpectProblemAsync(api.PublishAsync(carolToken, new { content = "butting in", sub_id = dm }, ct), HttpStatusCode.Forbidden, "sub_id", ct);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Post, $"/api/v1/rooms/{dm}/members", aliceToken, ct, new { user_id = carol }), HttpStatusCode.Forbidden, "room", ct);
        await ExpectProblemAsync(api.SendAsync(HttpMethod.Get, $"/api/v1/rooms/{dm}/reads", carolToken, ct), HttpStatusCode.Forbidden, "room", ct);

        // Alice read the first message (as the TCP 'read' command stores it); bob none.
        await using (var db = system.OpenDatabase())
        {
            await db.ExecuteAsync("INSERT INTO room_reads (room_id, user_id, seq) VALUES (@dm, @alice, 1)", new { dm, alice });
        }

        JsonObject aliceView = await api.GetJsonAsync(aliceToken, $"/api/v1/rooms/{dm}", ct);
        Assert.Equal("direct", (string?)aliceView["visibility"]);
        Assert.Equal((2L, 1L, 1L), ((long)aliceView["last_seq"]!, (long)aliceView["read_seq"]!, (long)aliceView["unread"]!));
        JsonNode bobListed = Assert.Single((await api.GetJsonAsync(bobToken, "/api/v1/rooms", ct))["rooms"]!.AsArray())!;
        Assert.Equal(dm, (string?)bobListed["room_id"]);
        Assert.Equal(2L, (long)bobListed["unread"]!);
        Assert.Empty((await api.GetJsonAsync(carolToken, "/api/v1/rooms", ct))["rooms"]!.AsArray());

        JsonObject reads = await api.GetJsonAsync(bobToken, $"/api/v1/rooms/{dm}/reads", ct);
        Assert.Equal(2L, (long)reads["last_seq"]!);
        JsonNode read = Assert.Single(reads["reads"]!.AsArray())!;
        Assert.Equal((alice, 1L), ((string)read["user_id"]!, (long)read["seq"]!));
    }

    /// <summary>The room's history once it holds <paramref name="count"/> messages (the consumer is asynchronous).</summary>
    internal static async Task<JsonArray> HistoryAsync(ChatApi api, string token, string room, int count, CancellationToken ct)
    {
        JsonArray messages = [];
        for (int attempt = 0; attempt < 100; attempt++)
        {
            messages = (await api.GetJsonAsync(token, $"/api/v1/messages?sub_id={room}", ct))["messages"]!.AsArray();
            if (messages.Count >= count)
            {
                break;
            }

            await Task.Delay(100, ct);
        }

        Assert.True(messages.Count == count, $"room {room} holds {messages.Count} messages, expected {count}: {messages.ToJsonString()}");
        return messages;
    }

    private static async Task ExpectAsync(Task<HttpResponseMessage> call, HttpStatusCode status, CancellationToken ct)
    {
        using HttpResponseMessage response = await call;
        string text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
    }

    private static async Task<JsonObject> AcceptedAsync(Task<HttpResponseMessage> call, CancellationToken ct)
    {
        using HttpResponseMessage response = await call;
        string text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"expected 202, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>A problem+json answer with <paramref name="status"/> that names <paramref name="field"/>.</summary>
    internal static async Task ExpectProblemAsync(Task<HttpResponseMessage> call, HttpStatusCode status, string field, CancellationToken ct)
    {
        using HttpResponseMessage response = await call;
        string text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((string?)JsonNode.Parse(text)!["field"] == field, $"the problem should name '{field}': {text}");
    }

    /// <summary>Puts a valid body from <paramref name="sender"/> to <paramref name="room"/> straight on the queue (as the API did before a removal); returns the dead-letter reason.</summary>
    internal static async Task<string> PublishAndReadDeadLetterAsync(ChatSystem system, string sender, string room, CancellationToken ct)
    {
        await using IConnection connection = await system.ConnectRabbitMqAsync(ct);
        await using IChannel channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct);
        var body = new JsonObject
        {
            ["id"] = sender,
            ["sub_id"] = room,
            ["publisher_information"] = new JsonObject { ["message_id"] = Guid.NewGuid().ToString(), ["source"] = "restapi", ["priority"] = 2, ["metadata"] = new JsonObject(), ["created_at"] = 1763780000 },
            ["message"] = new JsonObject { ["command"] = "send_broadcast_message", ["content"] = "queued before the removal", ["timestamp"] = "2026-11-22T03:00:00Z" },
        };
        await channel.BasicPublishAsync(string.Empty, system.Queue, mandatory: true, new BasicProperties { Persistent = true, ContentType = "application/json" }, Encoding.UTF8.GetBytes(body.ToJsonString()), ct);

        for (int attempt = 0; attempt < 100; attempt++)
        {
            BasicGetResult? dead = await channel.BasicGetAsync(system.Queue + ".dead_letter", autoAck: true, ct);
            if (dead is null)
            {
                await Task.Delay(100, ct);
                continue;
            }

            Assert.Equal(sender, (string?)JsonNode.Parse(Encoding.UTF8.GetString(dead.Body.Span))!["id"]);
            object? header = dead.BasicProperties.Headers?["x-rtmc-dead-letter-reason"];
            return header is byte[] bytes ? Encoding.UTF8.GetString(bytes) : header?.ToString() ?? string.Empty;
        }

        Assert.Fail("nothing reached the dead-letter queue");
        return string.Empty;
    }
}
