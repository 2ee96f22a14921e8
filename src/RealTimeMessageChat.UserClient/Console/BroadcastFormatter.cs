using System.Text.Json;

namespace RealTimeMessageChat.UserClient.Console;

/// <summary>The one stdout line per broadcast: <c>[seq] sender: text</c>.</summary>
internal static class BroadcastFormatter
{
    /// <summary>
    /// Formats a message. Line breaks inside the text are written as <c>\n</c> / <c>\r</c> so one
    /// message stays one line, which is what scripts reading stdout rely on; every other control
    /// character (C0, DEL, C1, the line and paragraph separators) is written as <c>\uXXXX</c>, so
    /// a broadcast can neither move the cursor nor send the terminal an escape sequence (ESC, CSI,
    /// OSC: clearing the screen, retitling the window, writing a hyperlink) of its sender's choosing.
    /// </summary>
    public static string Format(long seq, string sender, string data)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(data);
        return $"[{seq}] {Printable(sender)}: {Printable(data)}";
    }

    /// <summary>A message of a room other than the global one: <c>[room #seq] sender: text</c>, escaped as <see cref="Format(long, string, string)"/>.</summary>
    public static string Format(string room, long seq, string sender, string data)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(data);
        return $"[{Printable(room)} #{seq}] {Printable(sender)}: {Printable(data)}";
    }

    /// <summary>
    /// The stdout line of a <c>user_status</c> frame: <c>* alice is online</c>, <c>* alice is
    /// online: out for lunch</c>, <c>* alice is offline</c>. False when the frame lacks its fields.
    /// </summary>
    public static bool TryFormatUserStatus(JsonElement frame, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? line)
    {
        line = null;
        if (frame.ValueKind != JsonValueKind.Object
            || !frame.TryGetProperty("id", out JsonElement id) || id.ValueKind != JsonValueKind.String
            || !frame.TryGetProperty("status", out JsonElement status) || status.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        string text = frame.TryGetProperty("text", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : string.Empty;
        line = $"* {Printable(id.GetString()!)} is {Printable(status.GetString()!)}" + (text.Length > 0 ? $": {Printable(text)}" : string.Empty);
        return true;
    }

    /// <summary>The text with its control characters made visible, unchanged (the same string) when it has none.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = IndexOfUnprintable(text);
        if (first < 0)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (IsUnprintable(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    private static bool IsUnprintable(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static int IndexOfUnprintable(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsUnprintable(text[i]))
            {
                return i;
            }
        }

        return -1;
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
