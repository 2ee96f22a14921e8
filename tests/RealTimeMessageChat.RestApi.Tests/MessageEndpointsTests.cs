using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.RestApi.Tests.Fakes;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

public sealed class MessageEndpointsTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    [Fact]
    public async Task Publish_ValidRequest_Returns202AndPublishesTheContractBody()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_basic", cts.Token));

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = "hello \"world\" é" }, cts.Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonObject body = (await response.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!;
        Assert.Equal(3, body.Count);
        Assert.True(body["success"]!.GetValue<bool>());
        Assert.Equal("message_broadcast_queue", body["queue_name"]!.GetValue<string>());
        string messageId = body["message_id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(messageId, out _));

        PublishedMessage published = Assert.Single(factory.Publisher.Published, p => p.MessageId == messageId);
        Assert.Equal("message_broadcast_queue", published.QueueName);
        string expected =
            "{\"id\":\"pub_basic\",\"sub_id\":\"\","
            + $"\"publisher_information\":{{\"message_id\":\"{messageId}\",\"source\":\"restapi\",\"priority\":2,\"metadata\":{{}},\"created_at\":{factory.Now.ToUnixTimeSeconds()}}},"
            + $"\"message\":{{\"command\":\"send_broadcast_message\",\"content\":\"hello \\u0022world\\u0022 \\u00E9\",\"timestamp\":\"{factory.Now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\"}}}}";
        Assert.Equal(expected, published.Body);
        Assert.Equal("hello \"world\" é", JsonNode.Parse(published.Body)!["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Publish_AliasRouteWithEveryField_CarriesThemIntoTheQueueBody()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_alias", cts.Token));
        factory.Rooms.Seed("room-7", "public", "pub_alias");
        var messageId = Guid.NewGuid();

        HttpResponseMessage response = await client.PostAsJsonAsync(
            "/api/v1/messages/send",
            new { content = "hi room", sub_id = "room-7", command = "custom_command", priority = 3, metadata = new { client = "tests", n = 1 }, message_id = messageId, user_id = "pub_alias", id = "pub_alias" },
            cts.Token);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        JsonObject body = (await response.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!;
        Assert.Equal(messageId.ToString(), body["message_id"]!.GetValue<string>());
        JsonNode queued = JsonNode.Parse(Assert.Single(factory.Publisher.Published, p => p.MessageId == messageId.ToString()).Body)!;
        Assert.Equal("pub_alias", queued["id"]!.GetValue<string>());
        Assert.Equal("room-7", queued["sub_id"]!.GetValue<string>());
        Assert.Equal(3, queued["publisher_information"]!["priority"]!.GetValue<int>());
        Assert.Equal("""{"client":"tests","n":1}""", queued["publisher_information"]!["metadata"]!.ToJsonString());
        Assert.Equal("custom_command", queued["message"]!["command"]!.GetValue<string>());
        Assert.Equal("hi room", queued["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Publish_SameMessageIdTwice_BothAccepted202WithThatId()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_idem", cts.Token));
        string messageId = Guid.NewGuid().ToString();

        HttpResponseMessage first = await client.PostAsJsonAsync("/publishMessage", new { content = "once", message_id = messageId }, cts.Token);
        HttpResponseMessage second = await client.PostAsJsonAsync("/publishMessage", new { content = "once", message_id = messageId }, cts.Token);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(messageId, (await first.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!["message_id"]!.GetValue<string>());
        Assert.Equal(messageId, (await second.Content.ReadFromJsonAsync<JsonObject>(cts.Token))!["message_id"]!.GetValue<string>());
        Assert.Equal(2, factory.Publisher.Published.Count(p => p.MessageId == messageId));
    }

    [Fact]
    public async Task Publish_WithoutToken_Returns401Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient();

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = "x" }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized", cts.Token);
    }

    [Fact]
    public async Task Publish_TokenSignedWithAnotherKey_Returns401Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_forged", cts.Token);
        JwtOptions other = factory.Services.GetRequiredService<IOptions<JwtOptions>>().Value;
        var forger = new JwtTokenService(Microsoft.Extensions.Options.Options.Create(new JwtOptions
        {
            Secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
            Issuer = other.Issuer,
            Audience = other.Audience,
        }));
        using HttpClient client = factory.CreateClient(forger.Issue("pub_forged").Token);

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = "x" }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized", cts.Token);
        Assert.DoesNotContain(factory.Publisher.Published, p => p.Body.Contains("pub_forged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_GarbageToken_Returns401Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient("not.a.jwt");

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = "x" }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized", cts.Token);
    }

    [Theory]
    [InlineData("user_id")]
    [InlineData("id")]
    public async Task Publish_BodyNamesAnotherSender_Returns403Problem(string field)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_spoof_" + field, cts.Token));
        var body = new Dictionary<string, string> { ["content"] = "spoof", [field] = "somebody_else" };

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", body, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "sender-mismatch", cts.Token);
        Assert.DoesNotContain(factory.Publisher.Published, p => p.Body.Contains("somebody_else", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_ChatBannedUser_Returns403Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_muted", cts.Token));
        factory.Users.Update("pub_muted", u => u with { IsChatBanned = true });

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = "let me speak" }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "chat-banned", cts.Token);
        Assert.DoesNotContain(factory.Publisher.Published, p => p.Body.Contains("let me speak", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_ManyMessages_ReadsTheSendersFlagsOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_cached", cts.Token));
        int before = factory.Users.Lookups("pub_cached");

        for (int i = 0; i < 20; i++)
        {
            HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = $"m{i}" }, cts.Token);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(1, factory.Users.Lookups("pub_cached") - before);
    }

    [Fact]
    public async Task Publish_ChatBanAfterCachedPublish_TakesEffectOnceInvalidated()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_later_muted", cts.Token));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/publishMessage", new { content = "first" }, cts.Token)).StatusCode);

        factory.Users.Update("pub_later_muted", u => u with { IsChatBanned = true });
        factory.Services.GetRequiredService<SenderStatusCache>().Invalidate("pub_later_muted");
        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = "second" }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "chat-banned", cts.Token);
    }

    [Fact]
    public async Task Publish_MalformedJson_Returns400Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_malformed", cts.Token));

        HttpResponseMessage response = await client.PostAsync("/publishMessage", new StringContent("{\"content\": \"x\"", Encoding.UTF8, "application/json"), cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json", cts.Token);
    }

    [Theory]
    [InlineData("""{}""", "content")]
    [InlineData("""{"content":""}""", "content")]
    [InlineData("""{"content":null}""", "content")]
    [InlineData("""{"content":123}""", "content")]
    [InlineData("""{"content":["x"]}""", "content")]
    [InlineData("""{"content":"x","priority":0}""", "priority")]
    [InlineData("""{"content":"x","priority":4}""", "priority")]
    [InlineData("""{"content":"x","priority":"high"}""", "priority")]
    [InlineData("""{"content":"x","metadata":[1]}""", "metadata")]
    [InlineData("""{"content":"x","metadata":"text"}""", "metadata")]
    [InlineData("""{"content":"x","message_id":"not-a-uuid"}""", "message_id")]
    [InlineData("""{"content":"x","sub_id":"0123456789012345678901234567890123456789012345678901234567890123X"}""", "sub_id")]
    // Each of these was once answered 202 and then dead-lettered by the consumer (issue 9, defect 1).
    [InlineData("""{"content":"a\u0000b"}""", "content")]
    [InlineData("""{"content":"x","sub_id":"room\u0007"}""", "sub_id")]
    [InlineData("""{"content":"x","sub_id":"room\n"}""", "sub_id")]
    [InlineData("""{"content":"x","command":"say\u001b[2J"}""", "command")]
    [InlineData("""{"content":"x","command":""}""", "command")]
    [InlineData("""{"content":"x","metadata":{"k":"v\u0000"}}""", "metadata")]
    // Each of these was answered 500 (the queue body could not be written) or would have stopped
    // the persister (PostgreSQL's jsonb refuses them); found by PublishAgreementPropertyTests.
    [InlineData("""{"content":"x","metadata":{"k":"\ud800"}}""", "metadata")]
    [InlineData("""{"content":"x","metadata":{"\udfff":1}}""", "metadata")]
    [InlineData("""{"content":"x","metadata":{"k":1e-400000}}""", "metadata")]
    [InlineData("""{"content":"x","metadata":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}""", "metadata")]
    [InlineData("""{"content":"x","message_id":"00000000-0000-0000-0000-000000000000"}""", "message_id")]
    [InlineData("""{"content":"\ud800"}""", "content")]
    [InlineData("""{"content":"x","sub_id":"\udc00"}""", "sub_id")]
    [InlineData("""{"content":"x","command":"\ud83d"}""", "command")]
    public async Task Publish_InvalidField_Returns400NamingTheField(string json, string field)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_invalid_" + Guid.NewGuid().ToString("N")[..8], cts.Token));
        int before = factory.Publisher.Published.Count;

        HttpResponseMessage response = await client.PostAsync("/publishMessage", new StringContent(json, Encoding.UTF8, "application/json"), cts.Token);

        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation", cts.Token);
        Assert.Contains(field, ProblemAssert.ErrorFields(problem));
        Assert.Equal(before, factory.Publisher.Published.Count);
    }

    [Theory]
    [InlineData("a", 4096, HttpStatusCode.Accepted)]
    [InlineData("a", 4097, HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("é", 2048, HttpStatusCode.Accepted)]
    [InlineData("é", 2049, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Publish_ContentSize_LimitIsInUtf8Bytes(string unit, int repeat, HttpStatusCode expected)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), $"pub_size_{repeat}_{unit.Length}_{(int)unit[0]}", cts.Token));

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = string.Concat(Enumerable.Repeat(unit, repeat)) }, cts.Token);

        if (expected == HttpStatusCode.Accepted)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        else
        {
            await ProblemAssert.IsProblemAsync(response, expected, "payload-too-large", cts.Token);
        }
    }

    [Fact]
    public async Task Publish_BodyOverMaxBodyBytes_Returns413Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_bigbody", cts.Token));

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = "x", padding = new string('p', 70_000) }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large", cts.Token);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Publish_NotJsonContentType_Returns415Problem(string? mediaType)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), "pub_415_" + (mediaType?.Length ?? 0), cts.Token));
        var content = new ByteArrayContent("""{"content":"x"}"""u8.ToArray());
        content.Headers.ContentType = mediaType is null ? null : new MediaTypeHeaderValue(mediaType);

        HttpResponseMessage response = await client.PostAsync("/publishMessage", content, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type", cts.Token);
    }

    [Fact]
    public async Task Publish_PublisherThrows_Returns503ProblemNot202()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var failing = new RestApiFactory();
        failing.Publisher.Failure = new InvalidOperationException("broker nacked");
        using HttpClient client = failing.CreateClient(await failing.RegisterAndLoginAsync(failing.CreateClient(), "pub_nack", cts.Token));

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = "lost?" }, cts.Token);

        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "broker-unavailable", cts.Token);
        Assert.Equal("Broker unavailable", problem["title"]!.GetValue<string>());
        Assert.Empty(failing.Publisher.Published);
    }

    [Fact]
    public async Task Publish_NoConfirmWithinTimeout_Returns503Problem()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var silent = new RestApiFactory(new Dictionary<string, string?> { ["publish_confirm_timeout_ms"] = "300" });
        silent.Publisher.NeverConfirm = true;
        using HttpClient client = silent.CreateClient(await silent.RegisterAndLoginAsync(silent.CreateClient(), "pub_timeout", cts.Token));

        HttpResponseMessage response = await client.PostAsJsonAsync("/publishMessage", new { content = "waiting" }, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "broker-unavailable", cts.Token);
    }

    [Fact]
    public async Task Publish_OverTheUsersRateLimit_Returns429ProblemWithRetryAfter()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var limited = new RestApiFactory(new Dictionary<string, string?> { ["rate_limit_per_second"] = "1", ["rate_limit_burst"] = "2" });
        using HttpClient client = limited.CreateClient(await limited.RegisterAndLoginAsync(limited.CreateClient(), "pub_flood", cts.Token));
        using HttpClient other = limited.CreateClient(await limited.RegisterAndLoginAsync(limited.CreateClient(), "pub_calm", cts.Token));

        var responses = new List<HttpResponseMessage>();
        for (int i = 0; i < 6; i++)
        {
            responses.Add(await client.PostAsJsonAsync("/publishMessage", new { content = "flood " + i }, cts.Token));
        }

        Assert.Equal(HttpStatusCode.Accepted, responses[0].StatusCode);
        HttpResponseMessage? rejected = responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.NotNull(rejected);
        await ProblemAssert.IsProblemAsync(rejected, HttpStatusCode.TooManyRequests, "rate-limited", cts.Token);
        Assert.InRange(rejected.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.Accepted, (await other.PostAsJsonAsync("/publishMessage", new { content = "calm" }, cts.Token)).StatusCode);
    }
}
