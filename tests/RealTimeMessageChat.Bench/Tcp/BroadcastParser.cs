using System.Buffers.Text;
using System.Text.Json;

namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>
/// Reads what the bench needs from one frame payload: its kind and, for a broadcast, <c>seq</c> and
/// the stamp in the content. The fast path relies only on what JSON guarantees for the layout the
/// server writes today (<c>{"command":"send_broadcast_message",…"seq":N…}</c>, the content's
/// marker is plain ASCII); anything else goes through a real JSON parse, so a server that orders
/// its fields differently is measured correctly, only more slowly.
/// </summary>
internal static class BroadcastParser
{
    private static ReadOnlySpan<byte> BroadcastPrefix => "{\"command\":\"send_broadcast_message\""u8;

    private static ReadOnlySpan<byte> SeqKey => "\"seq\":"u8;

    public static FrameKind Parse(ReadOnlySpan<byte> payload, out long seq, out long stamp)
    {
        if (payload.StartsWith(BroadcastPrefix) && TryFastSeq(payload, out seq))
        {
            stamp = BenchContent.FindStamp(payload);
            return FrameKind.Broadcast;
        }

        return ParseSlow(payload, out seq, out stamp);
    }

    /// <summary>
    /// The last <c>"seq":</c> of the payload. Inside a JSON string a quote is always escaped, so an
    /// unescaped <c>"seq":</c> preceded by <c>,</c> or <c>{</c> is a property name; the broadcast's
    /// only <c>seq</c> is the message's.
    /// </summary>
    private static bool TryFastSeq(ReadOnlySpan<byte> payload, out long seq)
    {
        seq = 0;
        int at = payload.LastIndexOf(SeqKey);
        if (at <= 0 || (payload[at - 1] != (byte)',' && payload[at - 1] != (byte)'{'))
        {
            return false;
        }

        ReadOnlySpan<byte> rest = payload[(at + SeqKey.Length)..];
        return Utf8Parser.TryParse(rest, out seq, out int consumed) && consumed > 0 && consumed < rest.Length
            && (rest[consumed] == (byte)',' || rest[consumed] == (byte)'}');
    }

    private static FrameKind ParseSlow(ReadOnlySpan<byte> payload, out long seq, out long stamp)
    {
        seq = 0;
        stamp = -1;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("command", out JsonElement command)
                || command.ValueKind != JsonValueKind.String)
            {
                return FrameKind.Malformed;
            }

            switch (command.GetString())
            {
                case "heartbeat:ping":
                    return FrameKind.Ping;
                case "error":
                    return FrameKind.Error;
                case "send_broadcast_message":
                    if (!root.TryGetProperty("message", out JsonElement message)
                        || message.ValueKind != JsonValueKind.Object
                        || !message.TryGetProperty("seq", out JsonElement seqElement)
                        || !seqElement.TryGetInt64(out seq))
                    {
                        return FrameKind.Malformed;
                    }

                    if (message.TryGetProperty("data", out JsonElement data) && data.ValueKind == JsonValueKind.String)
                    {
                        stamp = BenchContent.FindStamp(System.Text.Encoding.UTF8.GetBytes(data.GetString() ?? string.Empty));
                    }

                    return FrameKind.Broadcast;
                default:
                    return FrameKind.Other;
            }
        }
        catch (JsonException)
        {
            return FrameKind.Malformed;
        }
    }
}
