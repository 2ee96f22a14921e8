using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RealTimeMessageChat.RestApi.History;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

public sealed class MessageHistoryEndpointsTests : IClassFixture<RestApiFactory>
{
    private readonly RestApiFactory _factory;

    public MessageHistoryEndpointsTests(RestApiFactory factory)
    {
        _factory = factory;
        if (_factory.History.Messages.IsEmpty)
        {
            for (int seq = 1; seq <= 10; seq++)
            {
                _factory.History.Messages.Add(new HistoryMessage(Guid.NewGuid(), seq, "author", "room-h", "send_broadcast_message", "m" + seq, DateTimeOffset.UnixEpoch.AddSeconds(seq)));
            }

            _factory.History.Messages.Add(new HistoryMessage(Guid.NewGuid(), 1, "author", string.Empty, "send_broadcast_message", "global", DateTimeOffset.UnixEpoch));

            // A room's history is for its members (issue 8).
            _factory.Rooms.Seed("room-h", "private", "author", "hist_page", "hist_cursor", "hist_default");
        }
    }

    [Fact]
    public async Task Read_AfterSeqWithLimit_ReturnsThatPageAscending()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = _factory.CreateClient(await _factory.RegisterAndLoginAsync(_factory.CreateClient(), "hist_page", cts.Token));

        JsonObject body = (await client.GetFromJsonAsync<JsonObject>("/api/v1/messages?sub_id=room-h&after_seq=3&limit=4", cts.Token))!;

        JsonArray messages = body["messages"]!.AsArray();
        Assert.Equal([4L, 5L, 6L, 7L], messages.Select(m => m!["seq"]!.GetValue<long>()));
        JsonObject first = messages[0]!.AsObject();
        Assert.Equal(["message_id", "seq", "id", "sub_id", "command", "content", "created_at"], first.Select(p => p.Key));
        Assert.Equal("author", first["id"]!.GetValue<string>());
        Assert.Equal("room-h", first["sub_id"]!.GetValue<string>());
        Assert.Equal("m4", first["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Read_NoAfterSeq_ReturnsNewestOfTheGlobalRoomByDefault()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = _factory.CreateClient(await _factory.RegisterAndLoginAsync(_factory.CreateClient(), "hist_default", cts.Token));

        JsonObject global = (await client.GetFromJsonAsync<JsonObject>("/api/v1/messages", cts.Token))!;
        JsonObject newest = (await client.GetFromJsonAsync<JsonObject>("/api/v1/messages?sub_id=room-h&limit=2&before_seq=10", cts.Token))!;

        Assert.Equal("global", Assert.Single(global["messages"]!.AsArray())!["content"]!.GetValue<string>());
        Assert.Equal([8L, 9L], newest["messages"]!.AsArray().Select(m => m!["seq"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Read_Pages_CarryTheCursorsOfTheNextPageEachWay()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = _factory.CreateClient(await _factory.RegisterAndLoginAsync(_factory.CreateClient(), "hist_cursor", cts.Token));

        JsonObject middle = (await client.GetFromJsonAsync<JsonObject>("/api/v1/messages?sub_id=room-h&after_seq=3&limit=4", cts.Token))!;
        JsonObject oldest = (await client.GetFromJsonAsync<JsonObject>("/api/v1/messages?sub_id=room-h&before_seq=4&limit=5", cts.Token))!;
        JsonObject empty = (await client.GetFromJsonAsync<JsonObject>("/api/v1/messages?sub_id=room-h&after_seq=10", cts.Token))!;

        Assert.Equal(7, middle["next_after_seq"]!.GetValue<long>());
        Assert.Equal(4, middle["next_before_seq"]!.GetValue<long>());
        Assert.Equal([1L, 2L, 3L], oldest["messages"]!.AsArray().Select(m => m!["seq"]!.GetValue<long>()));
        Assert.Equal(3, oldest["next_after_seq"]!.GetValue<long>());
        Assert.False(oldest.ContainsKey("next_before_seq"));
        Assert.Empty(empty["messages"]!.AsArray());
        Assert.False(empty.ContainsKey("next_after_seq"));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("after_seq=-1", "after_seq")]
    [InlineData("after_seq=abc", "after_seq")]
    [InlineData("before_seq=0", "before_seq")]
    public async Task Read_BadQueryValue_Returns400NamingIt(string query, string field)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = _factory.CreateClient(await _factory.RegisterAndLoginAsync(_factory.CreateClient(), "hist_bad_" + field + query.Length, cts.Token));

        HttpResponseMessage response = await client.GetAsync("/api/v1/messages?" + query, cts.Token);

        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation", cts.Token);
        Assert.Equal([field], ProblemAssert.ErrorFields(problem));
    }

    [Fact]
    public async Task Read_WithoutToken_Returns401Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = _factory.CreateClient();

        HttpResponseMessage response = await client.GetAsync("/api/v1/messages", cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized", cts.Token);
    }
}
