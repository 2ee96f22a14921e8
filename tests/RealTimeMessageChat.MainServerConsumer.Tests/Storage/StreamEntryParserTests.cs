using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using StackExchange.Redis;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Storage;

public sealed class StreamEntryParserTests
{
    private static readonly Guid MessageId = Guid.Parse("6a1f3c2e-0000-4000-8000-000000000001");

    private static StreamEntry Entry(string id, params (string Name, RedisValue Value)[] fields) =>
        new(id, [.. fields.Select(f => new NameValueEntry(f.Name, f.Value))]);

    [Fact]
    public void ParseEntry_EveryField_BuildsTheMessage()
    {
        StreamEntry entry = Entry(
            "42-0",
            ("message_id", MessageId.ToString("D")),
            ("seq", 42),
            ("sender", "alice"),
            ("sub_id", "room1"),
            ("command", "send_broadcast_message"),
            ("content", "héllo 🌍"),
            ("priority", 3),
            ("metadata", """{"a":1}"""),
            ("created_at", 1_763_780_123_456));

        ChatMessage message = StreamEntryParser.ParseEntry(entry, "room1");

        Assert.Equal(
            new ChatMessage
            {
                MessageId = MessageId,
                Seq = 42,
                SenderId = "alice",
                SubId = "room1",
                Command = "send_broadcast_message",
                Content = "héllo 🌍",
                Priority = 3,
                MetadataJson = """{"a":1}""",
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_763_780_123_456),
            },
            message);
    }

    [Fact]
    public void ParseEntry_OptionalFieldsMissing_UsesDefaults()
    {
        StreamEntry entry = Entry("7-0", ("message_id", MessageId.ToString("D")), ("sender", "bob"), ("command", "c"), ("content", "x"));

        ChatMessage message = StreamEntryParser.ParseEntry(entry, "fallback");

        Assert.Equal(("fallback", 2, "{}", 7L), (message.SubId, message.Priority, message.MetadataJson, message.Seq));
    }

    [Fact]
    public void ParseEntry_ContentMissing_ThrowsNamingTheField()
    {
        StreamEntry entry = Entry("9-0", ("message_id", MessageId.ToString("D")), ("sender", "bob"), ("command", "c"));

        var ex = Assert.Throws<InvalidDataException>(() => StreamEntryParser.ParseEntry(entry, string.Empty));

        Assert.Contains("'content'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1-0", 1)]
    [InlineData("9007199254740993-0", 9_007_199_254_740_993)]
    [InlineData("5", 5)]
    public void SeqOf_EntryId_ReadsTheSeq(string id, long seq) => Assert.Equal(seq, StreamEntryParser.SeqOf(id));

    [Fact]
    public void ParseRange_NoEntries_ReturnsEmpty() => Assert.Empty(StreamEntryParser.ParseRange([], "r"));
}
