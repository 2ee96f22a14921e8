using System.Text.Json;

namespace RealTimeMessageChat.UserClient.Console;

/// <summary>The one stdout line per broadcast: <c>[seq] sender: text</c>.</summary>
internal static class BroadcastFormatter
{
    /// <summary>
    /// Formats a message. Line breaks inside the text are written as <c>\n</c> / <c>\r</c> so one
    /// message stays one line, which is what scripts reading stdout rely on.
    /// </summary>
    public static string Format(long seq, string sender, string data)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(data);
        if (data.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            data = data.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        }

        return $"[{seq}] {sender}: {data}";
    }

    /// <summary>
    /// Reads the <c>message</c> of a <c>send_broadcast_message</c> frame; false when it lacks
    /// <c>seq</c>, <c>id</c> or <c>data</c>. A missing <c>sub_id</c> is the global room.
    /// </summary>
    public static bool TryRead(JsonElement root, out BroadcastLine line)
    {
        line = default;
        if (!root.TryGetProperty("message", out JsonElement message) || message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("seq", out JsonElement seq) || seq.ValueKind != JsonValueKind.Number || !seq.TryGetInt64(out long seqValue)
            || !message.TryGetProperty("id", out JsonElement id) || id.ValueKind != JsonValueKind.String
            || !message.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        string room = message.TryGetProperty("sub_id", out JsonElement subId) && subId.ValueKind == JsonValueKind.String
            ? subId.GetString()!
            : string.Empty;
        line = new BroadcastLine(seqValue, room, id.GetString()!, data.GetString()!);
        return true;
    }
}
