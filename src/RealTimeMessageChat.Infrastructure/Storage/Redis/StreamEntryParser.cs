using System.Globalization;
using RealTimeMessageChat.Contracts.Storage;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>Turns XRANGE replies (<c>[[id, [field, value, ...]], ...]</c>) into <see cref="ChatMessage"/>s.</summary>
internal static class StreamEntryParser
{
    public static IReadOnlyList<ChatMessage> ParseRange(RedisResult result, string room)
    {
        if (result.IsNull)
        {
            return [];
        }

        var entries = (RedisResult[])result;
        var messages = new List<ChatMessage>(entries.Length);
        foreach (RedisResult entry in entries)
        {
            var parts = (RedisResult[])entry;
            messages.Add(ParseEntry((string)parts[0]!, (RedisValue[])parts[1], room));
        }

        return messages;
    }

    /// <summary>The seq of entry id <c>&lt;seq&gt;-0</c>.</summary>
    public static long SeqOf(string entryId)
    {
        int dash = entryId.IndexOf('-', StringComparison.Ordinal);
        return long.Parse(dash < 0 ? entryId : entryId[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    public static ChatMessage ParseEntry(string entryId, RedisValue[] fields, string room)
    {
        string? messageId = null, sender = null, subId = null, command = null, content = null, priority = null, metadata = null, createdAt = null;
        for (int i = 0; i + 1 < fields.Length; i += 2)
        {
            string value = (string)fields[i + 1]!;
            switch ((string)fields[i]!)
            {
                case "message_id": messageId = value; break;
                case "sender": sender = value; break;
                case "sub_id": subId = value; break;
                case "command": command = value; break;
                case "content": content = value; break;
                case "priority": priority = value; break;
                case "metadata": metadata = value; break;
                case "created_at": createdAt = value; break;
                default: break;
            }
        }

        return new ChatMessage
        {
            MessageId = Guid.Parse(messageId ?? throw Missing(entryId, "message_id")),
            Seq = SeqOf(entryId),
            SenderId = sender ?? throw Missing(entryId, "sender"),
            SubId = subId ?? room,
            Command = command ?? throw Missing(entryId, "command"),
            Content = content ?? throw Missing(entryId, "content"),
            Priority = priority is null ? 2 : int.Parse(priority, NumberStyles.Integer, CultureInfo.InvariantCulture),
            MetadataJson = string.IsNullOrEmpty(metadata) ? "{}" : metadata,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(
                createdAt is null ? 0 : long.Parse(createdAt, NumberStyles.Integer, CultureInfo.InvariantCulture)),
        };
    }

    private static InvalidDataException Missing(string entryId, string field) =>
        new($"Stream entry {entryId} has no '{field}' field.");
}
