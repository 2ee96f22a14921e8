using System.Text;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.MainServerConsumer.Consuming;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Consuming;

public sealed class MessageValidatorTests
{
    private static ValidationResult Validate(JsonNode body, int maxContentBytes = 4096, int maxSubIdLength = 64) =>
        TestOptions.Validator(maxContentBytes, maxSubIdLength).Validate(Messages.Bytes(body));

    private static ValidationResult Validate(string raw) => TestOptions.Validator().Validate(Encoding.UTF8.GetBytes(raw));

    private static void AssertRejected(ValidationResult result, string fieldInReason)
    {
        Assert.False(result.IsValid);
        Assert.Contains(fieldInReason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RestApiBody_AcceptsWithEveryField()
    {
        var messageId = Guid.NewGuid();
        JsonObject body = Messages.Body("hello there", "alice", "room-1", messageId);
        body["publisher_information"]!["priority"] = 3;
        body["publisher_information"]!["metadata"] = new JsonObject { ["client"] = "cli" };

        ValidationResult result = Validate(body);

        Assert.True(result.IsValid);
        ChatMessage m = result.Message;
        Assert.Equal(messageId, m.MessageId);
        Assert.Equal("alice", m.SenderId);
        Assert.Equal("room-1", m.SubId);
        Assert.Equal("send_broadcast_message", m.Command);
        Assert.Equal("hello there", m.Content);
        Assert.Equal(3, m.Priority);
        Assert.Equal("""{"client":"cli"}""", m.MetadataJson);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero), m.CreatedAt);
    }

    [Fact]
    public void Validate_OptionalFieldsMissing_UsesDefaults()
    {
        JsonObject body = Messages.Body();
        body.Remove("sub_id");
        ((JsonObject)body["message"]!).Remove("command");
        ((JsonObject)body["message"]!).Remove("timestamp");
        var publisher = (JsonObject)body["publisher_information"]!;
        publisher.Remove("priority");
        publisher.Remove("metadata");
        publisher.Remove("created_at");

        ValidationResult result = Validate(body);

        Assert.True(result.IsValid);
        Assert.Equal(string.Empty, result.Message.SubId);
        Assert.Equal("send_broadcast_message", result.Message.Command);
        Assert.Equal(2, result.Message.Priority);
        Assert.Equal("{}", result.Message.MetadataJson);
        Assert.Equal(TestOptions.Now, result.Message.CreatedAt);
    }

    [Fact]
    public void Validate_TimestampUnparseable_FallsBackToCreatedAtSeconds()
    {
        JsonObject body = Messages.Body();
        body["message"]!["timestamp"] = "yesterday";

        ValidationResult result = Validate(body);

        Assert.True(result.IsValid);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1763780000), result.Message.CreatedAt);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"id\": \"alice\"")]
    [InlineData("")]
    public void Validate_BadJson_Rejects(string raw) => AssertRejected(Validate(raw), "invalid JSON");

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    public void Validate_NotAnObject_Rejects(string raw) => AssertRejected(Validate(raw), "not a JSON object");

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("dot.ted")]
    [InlineData("newline\n")]
    [InlineData("ünïcode")]
    public void Validate_BadUserId_Rejects(string id) => AssertRejected(Validate(Messages.Body(id: id)), "'id'");

    [Fact]
    public void Validate_UserIdOf64Chars_Accepts() => Assert.True(Validate(Messages.Body(id: new string('a', 64))).IsValid);

    [Fact]
    public void Validate_UserIdOf65Chars_Rejects() => AssertRejected(Validate(Messages.Body(id: new string('a', 65))), "'id'");

    [Fact]
    public void Validate_UserIdNotString_Rejects()
    {
        JsonObject body = Messages.Body();
        body["id"] = 42;

        AssertRejected(Validate(body), "'id'");
    }

    [Fact]
    public void Validate_UserIdMissing_Rejects()
    {
        JsonObject body = Messages.Body();
        body.Remove("id");

        AssertRejected(Validate(body), "'id'");
    }

    [Fact]
    public void Validate_SubIdAtLimit_Accepts() => Assert.True(Validate(Messages.Body(subId: new string('r', 10)), maxSubIdLength: 10).IsValid);

    [Fact]
    public void Validate_SubIdOverLimit_Rejects() => AssertRejected(Validate(Messages.Body(subId: new string('r', 11)), maxSubIdLength: 10), "'sub_id'");

    [Fact]
    public void Validate_SubIdNotString_Rejects()
    {
        JsonObject body = Messages.Body();
        body["sub_id"] = new JsonArray();

        AssertRejected(Validate(body), "'sub_id'");
    }

    [Fact]
    public void Validate_MessageNotObject_Rejects()
    {
        JsonObject body = Messages.Body();
        body["message"] = "hello";

        AssertRejected(Validate(body), "'message'");
    }

    [Fact]
    public void Validate_ContentEmpty_Rejects() => AssertRejected(Validate(Messages.Body(content: string.Empty)), "'message.content'");

    [Fact]
    public void Validate_ContentMissing_Rejects()
    {
        JsonObject body = Messages.Body();
        ((JsonObject)body["message"]!).Remove("content");

        AssertRejected(Validate(body), "'message.content'");
    }

    [Fact]
    public void Validate_ContentNotString_Rejects()
    {
        JsonObject body = Messages.Body();
        body["message"]!["content"] = 5;

        AssertRejected(Validate(body), "'message.content'");
    }

    [Fact]
    public void Validate_ContentExactlyAtByteLimit_Accepts()
    {
        string content = new string('x', 8) + "é"; // 8 + 2 bytes

        Assert.True(Validate(Messages.Body(content: content), maxContentBytes: 10).IsValid);
    }

    [Fact]
    public void Validate_ContentOneByteOverLimitCountedInUtf8_Rejects()
    {
        string content = new string('x', 9) + "é"; // 10 characters, 11 bytes

        AssertRejected(Validate(Messages.Body(content: content), maxContentBytes: 10), "over the limit");
    }

    [Fact]
    public void Validate_ContentWithNul_Rejects() => AssertRejected(Validate(Messages.Body(content: "a\0b")), "U+0000");

    [Fact]
    public void Validate_CommandNotString_Rejects()
    {
        JsonObject body = Messages.Body();
        body["message"]!["command"] = true;

        AssertRejected(Validate(body), "'message.command'");
    }

    [Fact]
    public void Validate_PublisherInformationMissing_Rejects()
    {
        JsonObject body = Messages.Body();
        body.Remove("publisher_information");

        AssertRejected(Validate(body), "'publisher_information'");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-uuid")]
    [InlineData("")]
    public void Validate_MessageIdNotUuid_Rejects(string? messageId)
    {
        JsonObject body = Messages.Body();
        body["publisher_information"]!["message_id"] = messageId;

        AssertRejected(Validate(body), "message_id");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(-1)]
    public void Validate_PriorityOutOfRange_Rejects(int priority)
    {
        JsonObject body = Messages.Body();
        body["publisher_information"]!["priority"] = priority;

        AssertRejected(Validate(body), "priority");
    }

    [Fact]
    public void Validate_PriorityNotNumber_Rejects()
    {
        JsonObject body = Messages.Body();
        body["publisher_information"]!["priority"] = "high";

        AssertRejected(Validate(body), "priority");
    }

    [Fact]
    public void Validate_MetadataNotObject_Rejects()
    {
        JsonObject body = Messages.Body();
        body["publisher_information"]!["metadata"] = new JsonArray(1, 2);

        AssertRejected(Validate(body), "metadata");
    }

    [Fact]
    public void Validate_MetadataWithNulEscape_Rejects() =>
        AssertRejected(Validate("""{"id":"a","publisher_information":{"message_id":"6f1c1c55-2b0e-4c61-8f1e-2f8f3f6b1a10","metadata":{"k":"\u0000"}},"message":{"content":"x"}}"""), "U+0000");

    // Each of these would be accepted here and then fail PostgreSQL's jsonb cast, stopping the
    // persistence of its whole batch (issue 9): the rules refuse them on both sides instead.
    [Theory]
    [InlineData("""{"k":"\ud800"}""", "not valid Unicode")]
    [InlineData("""{"\udc00":1}""", "not valid Unicode")]
    [InlineData("""{"k":1e-16384}""", "number")]
    [InlineData("""{"k":1e131072}""", "number")]
    [InlineData("""{"k":[1e99999999999]}""", "number")]
    public void Validate_MetadataPostgresCannotStore_Rejects(string metadata, string reason) =>
        AssertRejected(Validate(RawBody(metadata)), reason);

    [Fact]
    public void Validate_MetadataNestedDeeperThanTheRule_Rejects() =>
        AssertRejected(Validate(RawBody(Nested(MessageRules.MaxMetadataDepth + 1))), "deeper");

    [Fact]
    public void Validate_MetadataNestedAtTheRule_Accepts()
    {
        ValidationResult result = Validate(RawBody(Nested(MessageRules.MaxMetadataDepth)));

        Assert.True(result.IsValid, result.Error);
    }

    [Theory]
    [InlineData("""{"k":"a\\u0000b"}""")] // an escaped backslash before "u0000": text, not U+0000
    [InlineData("""{"k":"\ud83d\ude00 \uFFFE \u0085"}""")]
    [InlineData("""{"k":-1.5e308,"n":[1E+2,0.000001]}""")]
    public void Validate_MetadataPostgresCanStore_Accepts(string metadata)
    {
        ValidationResult result = Validate(RawBody(metadata));

        Assert.True(result.IsValid, result.Error);
    }

    [Fact]
    public void Validate_EmptyMessageId_Rejects()
    {
        JsonObject body = Messages.Body(messageId: Guid.Empty);

        AssertRejected(Validate(body), "empty UUID");
    }

    private static string RawBody(string metadata) =>
        """{"id":"a","publisher_information":{"message_id":"6f1c1c55-2b0e-4c61-8f1e-2f8f3f6b1a10","metadata":""" + metadata + """},"message":{"content":"x"}}""";

    // The metadata object itself is level 1.
    private static string Nested(int levels) => string.Concat(Enumerable.Repeat("{\"a\":", levels - 1)) + "{}" + new string('}', levels - 1);
}
