using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Contracts.Rooms;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

/// <summary>Issue 8's room endpoints over the fakes: validation, the membership rules, publish and history checks, DMs.</summary>
public sealed class RoomEndpointsTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    [Theory]
    [InlineData("""{"visibility":"public"}""", "name")]
    [InlineData("""{"name":"  ","visibility":"public"}""", "name")]
    [InlineData("""{"name":"a\u0007b","visibility":"public"}""", "name")]
    [InlineData("""{"name":"ok"}""", "visibility")]
    [InlineData("""{"name":"ok","visibility":"direct"}""", "visibility")]
    [InlineData("""{"name":"ok","visibility":"secret"}""", "visibility")]
    [InlineData("""{"room_id":"has space","name":"ok","visibility":"public"}""", "room_id")]
    [InlineData("""{"room_id":"","name":"ok","visibility":"public"}""", "room_id")]
    [InlineData("""{"room_id":"dm-mine","name":"ok","visibility":"public"}""", "room_id")]
    [InlineData("""{"room_id":42,"name":"ok","visibility":"public"}""", "room_id")]
    public async Task CreateRoom_InvalidField_Returns400NamingTheField(string json, string field)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await LoginAsync("rm_bad_" + Guid.NewGuid().ToString("N")[..8], cts.Token);

        HttpResponseMessage response = await client.PostAsync("/api/v1/rooms", Json(json), cts.Token);

        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation", cts.Token);
        Assert.Equal([field], ProblemAssert.ErrorFields(problem));
    }

    [Fact]
    public async Task CreateRoom_CreatorIsOwnerAndMember_SameIdTwiceIs409_NoIdGetsOne()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await LoginAsync("rm_owner", cts.Token);

        HttpResponseMessage created = await client.PostAsJsonAsync("/api/v1/rooms", new { room_id = "rm-team", name = "Team", visibility = "private" }, cts.Token);
        HttpResponseMessage again = await client.PostAsJsonAsync("/api/v1/rooms", new { room_id = "rm-team", name = "Team", visibility = "public" }, cts.Token);
        HttpResponseMessage generated = await client.PostAsJsonAsync("/api/v1/rooms", new { name = "Anon", visibility = "public" }, cts.Token);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/rooms/rm-team", created.Headers.Location?.OriginalString);
        JsonObject room = (await created.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!;
        Assert.Equal("rm_owner", (string?)room["owner_id"]);
        Assert.Equal("private", (string?)room["visibility"]);
        Assert.True((bool)room["is_member"]!);
        Assert.Equal(0, (long)room["unread"]!);
        JsonObject conflict = await ProblemAssert.IsProblemAsync(again, HttpStatusCode.Conflict, "room-exists", cts.Token);
        Assert.Equal("room_id", (string?)conflict["field"]);
        Assert.Equal(HttpStatusCode.Created, generated.StatusCode);
        string id = (string)(await generated.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!["room_id"]!;
        Assert.Matches("^r-[0-9a-f]{16}$", id);
        Assert.True(await factory.Rooms.IsMemberAsync("rm-team", "rm_owner", cts.Token));
        Assert.Contains(factory.Sessions.Published, e => e.Kind == "room_member_added" && e.Room == "rm-team" && e.UserId == "rm_owner");
    }

    [Fact]
    public async Task Members_JoinPublic_PrivateNeedsOwnerOrAdmin_RemoveNeedsOwnerOrAdmin_DirectIsFixed()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient owner = await LoginAsync("mb_owner", cts.Token);
        using HttpClient bob = await LoginAsync("mb_bob", cts.Token);
        using HttpClient carol = await LoginAsync("mb_carol", cts.Token);
        using HttpClient admin = await LoginAsync("mb_admin", cts.Token);
        factory.Users.Update("mb_admin", a => a with { IsAdmin = true });
        factory.Rooms.Seed("mb-pub", "public", "mb_owner");
        factory.Rooms.Seed("mb-priv", "private", "mb_owner");
        factory.Rooms.Seed(DirectRoomId.For("mb_owner", "mb_bob"), "direct", "mb_owner", "mb_bob");

        Assert.Equal(HttpStatusCode.Created, (await bob.PostAsync("/api/v1/rooms/mb-pub/members", null, cts.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.PostAsync("/api/v1/rooms/mb-pub/members", null, cts.Token)).StatusCode);
        await IsForbiddenAsync(await bob.PostAsync("/api/v1/rooms/mb-priv/members", null, cts.Token), "room", cts.Token);
        await IsForbiddenAsync(await bob.PostAsJsonAsync("/api/v1/rooms/mb-pub/members", new { user_id = "mb_carol" }, cts.Token), "user_id", cts.Token);
        Assert.Equal(HttpStatusCode.Created, (await owner.PostAsJsonAsync("/api/v1/rooms/mb-priv/members", new { user_id = "mb_bob" }, cts.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/rooms/mb-priv/members", new { user_id = "mb_carol" }, cts.Token)).StatusCode);
        JsonObject noUser = await ProblemAssert.IsProblemAsync(
            await owner.PostAsJsonAsync("/api/v1/rooms/mb-priv/members", new { user_id = "mb_nobody" }, cts.Token), HttpStatusCode.NotFound, "not-found", cts.Token);
        Assert.Equal("user_id", (string?)noUser["field"]);
        await ProblemAssert.IsProblemAsync(await bob.PostAsync("/api/v1/rooms/mb-none/members", null, cts.Token), HttpStatusCode.NotFound, "room-not-found", cts.Token);
        JsonObject badUser = await ProblemAssert.IsProblemAsync(
            await owner.PostAsJsonAsync("/api/v1/rooms/mb-priv/members", new { user_id = "no spaces" }, cts.Token), HttpStatusCode.BadRequest, "validation", cts.Token);
        Assert.Equal(["user_id"], ProblemAssert.ErrorFields(badUser));

        await IsForbiddenAsync(await carol.DeleteAsync("/api/v1/rooms/mb-priv/members/mb_bob", cts.Token), "user", cts.Token);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync("/api/v1/rooms/mb-priv/members/mb_bob", cts.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await carol.DeleteAsync("/api/v1/rooms/mb-priv/members/mb_carol", cts.Token)).StatusCode);
        await ProblemAssert.IsProblemAsync(await owner.DeleteAsync("/api/v1/rooms/mb-priv/members/mb_bob", cts.Token), HttpStatusCode.NotFound, "not-found", cts.Token);
        await IsForbiddenAsync(await owner.PostAsJsonAsync($"/api/v1/rooms/{DirectRoomId.For("mb_owner", "mb_bob")}/members", new { user_id = "mb_carol" }, cts.Token), "room", cts.Token);
        await IsForbiddenAsync(await bob.DeleteAsync($"/api/v1/rooms/{DirectRoomId.For("mb_owner", "mb_bob")}/members/mb_bob", cts.Token), "room", cts.Token);

        Assert.Contains(factory.Sessions.Published, e => e.Kind == "room_member_removed" && e.Room == "mb-priv" && e.UserId == "mb_bob" && e.Reason == "removed");
        Assert.Contains(factory.Sessions.Published, e => e.Kind == "room_member_removed" && e.Room == "mb-priv" && e.UserId == "mb_carol" && e.Reason == "left");
        Assert.Single(factory.Sessions.Published, e => e.Kind == "room_member_added" && e.Room == "mb-pub" && e.UserId == "mb_bob");
    }

    [Fact]
    public async Task Publish_ToRoom_MemberAccepted_NonMember403_UnknownRoom404_BadId400()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient member = await LoginAsync("pb_member", cts.Token);
        using HttpClient outsider = await LoginAsync("pb_outsider", cts.Token);
        factory.Rooms.Seed("pb-room", "private", "pb_member");
        int before = factory.Publisher.Published.Count;

        HttpResponseMessage accepted = await member.PostAsJsonAsync("/publishMessage", new { content = "hi", sub_id = "pb-room" }, cts.Token);
        HttpResponseMessage refused = await outsider.PostAsJsonAsync("/api/v1/messages/send", new { content = "hi", sub_id = "pb-room" }, cts.Token);
        HttpResponseMessage missing = await member.PostAsJsonAsync("/publishMessage", new { content = "hi", sub_id = "pb-nowhere" }, cts.Token);
        HttpResponseMessage malformed = await member.PostAsJsonAsync("/publishMessage", new { content = "hi", sub_id = "not a room" }, cts.Token);
        HttpResponseMessage history = await outsider.GetAsync("/api/v1/messages?sub_id=pb-room", cts.Token);
        HttpResponseMessage memberHistory = await member.GetAsync("/api/v1/messages?sub_id=pb-room", cts.Token);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("sub_id", (string?)(await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden, "not-a-member", cts.Token))["field"]);
        Assert.Equal("sub_id", (string?)(await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "room-not-found", cts.Token))["field"]);
        Assert.Equal(["sub_id"], ProblemAssert.ErrorFields(await ProblemAssert.IsProblemAsync(malformed, HttpStatusCode.BadRequest, "validation", cts.Token)));
        await ProblemAssert.IsProblemAsync(history, HttpStatusCode.Forbidden, "not-a-member", cts.Token);
        Assert.Equal(HttpStatusCode.OK, memberHistory.StatusCode);
        Assert.Equal(before + 1, factory.Publisher.Published.Count);
    }

    [Theory]
    [InlineData("""{"content":"x"}""", "to")]
    [InlineData("""{"to":"bad id","content":"x"}""", "to")]
    [InlineData("""{"to":"dm_b"}""", "content")]
    [InlineData("""{"to":"dm_b","content":"a\u0000b"}""", "content")]
    [InlineData("""{"to":"dm_b","content":"x","message_id":"00000000-0000-0000-0000-000000000000"}""", "message_id")]
    [InlineData("""{"to":"dm_a","content":"x"}""", "to")]
    public async Task Direct_InvalidField_Returns400NamingTheField(string json, string field)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await LoginOnceAsync("dm_a", cts.Token);

        HttpResponseMessage response = await client.PostAsync("/api/v1/messages/direct", Json(json), cts.Token);

        Assert.Equal([field], ProblemAssert.ErrorFields(await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation", cts.Token)));
    }

    [Fact]
    public async Task Direct_FirstMessageCreatesTheRoomWithBothMembers_ThenPublishesToIt_UnknownUser404()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient alice = await LoginAsync("dx_alice", cts.Token);
        using HttpClient bob = await LoginAsync("dx_bob", cts.Token);
        string room = DirectRoomId.For("dx_alice", "dx_bob");

        HttpResponseMessage first = await alice.PostAsJsonAsync("/api/v1/messages/direct", new { to = "dx_bob", content = "hi bob" }, cts.Token);
        HttpResponseMessage reply = await bob.PostAsJsonAsync("/api/v1/messages/direct", new { to = "dx_alice", content = "hi alice" }, cts.Token);
        HttpResponseMessage nobody = await alice.PostAsJsonAsync("/api/v1/messages/direct", new { to = "dx_nobody", content = "hello?" }, cts.Token);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        JsonObject body = (await first.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!;
        Assert.Equal(room, (string?)body["sub_id"]);
        Assert.Equal(room, (string?)(await reply.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!["sub_id"]);
        string queued = Assert.Single(factory.Publisher.Published, p => p.MessageId == (string?)body["message_id"]).Body;
        Assert.Equal(room, (string?)JsonNode.Parse(queued)!["sub_id"]);
        Assert.Equal("to", (string?)(await ProblemAssert.IsProblemAsync(nobody, HttpStatusCode.NotFound, "not-found", cts.Token))["field"]);
        Assert.Equal(2, factory.Sessions.Published.Count(e => e.Kind == "room_member_added" && e.Room == room));
        Assert.Equal("direct", (await factory.Rooms.FindAsync(room, cts.Token))!.Visibility);
    }

    [Fact]
    public async Task ListRooms_PublicAndMine_WithMyUnreadCounts()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient reader = await LoginAsync("ls_reader", cts.Token);
        factory.Rooms.Seed("ls-mine", "private", "ls_other", "ls_reader");
        factory.Rooms.Seed("ls-open", "public", "ls_other");
        factory.Rooms.Seed("ls-hidden", "private", "ls_other");
        factory.Log.LastSeqs["ls-mine"] = 10;
        factory.Log.LastSeqs["ls-open"] = 4;
        factory.Rooms.SetRead("ls-mine", "ls_reader", 7);

        JsonArray rooms = (await reader.GetFromJsonAsync<JsonObject>("/api/v1/rooms?after=ls-", cts.Token))!["rooms"]!.AsArray();
        HttpResponseMessage hidden = await reader.GetAsync("/api/v1/rooms/ls-hidden", cts.Token);
        HttpResponseMessage badLimit = await reader.GetAsync("/api/v1/rooms?limit=abc", cts.Token);

        var mine = rooms.Where(r => ((string)r!["room_id"]!).StartsWith("ls-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["ls-mine", "ls-open"], mine.Select(r => (string)r!["room_id"]!));
        Assert.Equal(3, (long)mine[0]!["unread"]!);
        Assert.Equal(7, (long)mine[0]!["read_seq"]!);
        Assert.False((bool)mine[1]!["is_member"]!);
        Assert.Equal(4, (long)mine[1]!["last_seq"]!);
        Assert.Null(mine[1]!["unread"]);
        await ProblemAssert.IsProblemAsync(hidden, HttpStatusCode.Forbidden, "not-a-member", cts.Token);
        Assert.Equal(["limit"], ProblemAssert.ErrorFields(await ProblemAssert.IsProblemAsync(badLimit, HttpStatusCode.BadRequest, "validation", cts.Token)));
    }

    [Fact]
    public void DirectRoomId_SameBothWays_MatchesTheRoomIdPattern_AndTheDocumentedHash()
    {
        string id = DirectRoomId.For("bob", "alice");

        Assert.Equal(id, DirectRoomId.For("alice", "bob"));
        Assert.NotEqual(id, DirectRoomId.For("alice", "carol"));
        Assert.Matches("^dm-[0-9a-f]{20}$", id);
        string expected = "dm-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("alice\nbob"u8))[..20];
        Assert.Equal(expected, id);
    }

    private static async Task IsForbiddenAsync(HttpResponseMessage response, string field, CancellationToken cancellationToken) =>
        Assert.Equal(field, (string?)(await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "forbidden", cancellationToken))["field"]);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<HttpClient> LoginAsync(string userId, CancellationToken cancellationToken) =>
        factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), userId, cancellationToken));

    // Theory rows share a class fixture: register the users once.
    private async Task<HttpClient> LoginOnceAsync(string userId, CancellationToken cancellationToken)
    {
        if (await factory.Users.FindAsync("dm_b", cancellationToken) is null)
        {
            await factory.RegisterAndLoginAsync(factory.CreateClient(), "dm_b", cancellationToken);
        }

        if (await factory.Users.FindAsync(userId, cancellationToken) is null)
        {
            return await LoginAsync(userId, cancellationToken);
        }

        HttpResponseMessage login = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { user_id = userId, password = "correct horse" }, cancellationToken);
        return factory.CreateClient((string)(await login.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["token"]!);
    }
}
