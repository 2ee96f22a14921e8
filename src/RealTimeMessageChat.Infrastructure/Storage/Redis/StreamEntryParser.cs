using System.Globalization;
using RealTimeMessageChat.Contracts.Storage;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>Turns the typed <see cref="StreamEntry"/>s of XRANGE/XREAD into <see cref="ChatMessage"/>s.</summary>
internal static class StreamEntryParser
{
    public static IReadOnlyList<ChatMessage> ParseRange(StreamEntry[] entries, string room)
    {
        if (entries.Length == 0)
        {
            return [];
        }

        var messages = new ChatMessage[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            messages[i] = ParseEntry(entries[i], room);
        }

        return messages;
    }

    /// <summary>The seq of entry id <c>&lt;seq&gt;-0</c>.</summary>
    public static long SeqOf(RedisValue entryId)
    {
        string id = (string?)entryId ?? throw new InvalidDataException("Stream entry without an id.");
        int dash = id.IndexOf('-', StringComparison.Ordinal);
        return long.Parse(dash < 0 ? id : id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    public static ChatMessage ParseEntry(StreamEntry entry, string room)
    {
        string? messageId = null, sender = null, subId = null, command = null, content = null, metadata = null;
        RedisValue priority = RedisValue.Null, createdAt = RedisValue.Null;
        foreach (NameValueEntry field in entry.Values)
        {
            switch ((string?)field.Name)
            {
                case "message_id": messageId = field.Value; break;
                case "sender": sender = field.Value; break;
                case "sub_id": subId = field.Value; break;
                case "command": command = field.Value; break;
                case "content": content = field.Value; break;
                case "priority": priority = field.Value; break;
                case "metadata": metadata = field.Value; break;
                case "created_at": createdAt = field.Value; break;
                default: break;
            }
        }

        return new ChatMessage
        {
            MessageId = Guid.Parse(messageId ?? throw Missing(entry.Id, "message_id")),
            Seq = SeqOf(entry.Id),
            SenderId = sender ?? throw Missing(entry.Id, "sender"),
            SubId = subId ?? room,
            Command = command ?? throw Missing(entry.Id, "command"),
            Content = content ?? throw Missing(entry.Id, "content"),
            Priority = priority.IsNull ? 2 : (int)priority,
            MetadataJson = string.IsNullOrEmpty(metadata) ? "{}" : metadata,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(createdAt.IsNull ? 0 : (long)createdAt),
        };
    }

    private static InvalidDataException Missing(RedisValue entryId, string field) =>
        new($"Stream entry {entryId} has no '{field}' field.");
}
