using System.Text;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Contracts.Storage;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>Builders for queue bodies and chat messages.</summary>
internal static class Messages
{
    /// <summary>A body as the RestApi publishes it (CONTRACT.md, "RabbitMQ").</summary>
    public static JsonObject Body(string content = "hello", string id = "alice", string subId = "", Guid? messageId = null) => new()
    {
        ["id"] = id,
        ["sub_id"] = subId,
        ["publisher_information"] = new JsonObject
        {
            ["message_id"] = (messageId ?? Guid.NewGuid()).ToString(),
            ["source"] = "restapi",
            ["priority"] = 2,
            ["metadata"] = new JsonObject(),
            ["created_at"] = 1763780000,
        },
        ["message"] = new JsonObject
        {
            ["command"] = "send_broadcast_message",
            ["content"] = content,
            ["timestamp"] = "2026-11-22T03:00:00Z",
        },
    };

    public static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    public static ChatMessage Chat(string room, string content, string sender = "alice", Guid? messageId = null, long seq = 0) => new()
    {
        MessageId = messageId ?? Guid.NewGuid(),
        Seq = seq,
        SenderId = sender,
        SubId = room,
        Command = "send_broadcast_message",
        Content = content,
        Priority = 2,
        MetadataJson = "{}",
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_763_780_000_123),
    };
}
