using System.Buffers;
using System.Text.Json;

namespace RealTimeMessageChat.Infrastructure.Sessions;

/// <summary>The pub/sub body of a <see cref="ModerationEvent"/>: <c>{"kind","user_id","token_id"?,"room"?,"after_seq"?,"reason"}</c>.</summary>
internal static class ModerationEventCodec
{
    public static byte[] Encode(ModerationEvent moderationEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", moderationEvent.Kind);
            writer.WriteString("user_id", moderationEvent.UserId);
            if (moderationEvent.TokenId is not null)
            {
                writer.WriteString("token_id", moderationEvent.TokenId);
            }

            if (moderationEvent.Room is not null)
            {
                writer.WriteString("room", moderationEvent.Room);
            }

            if (moderationEvent.AfterSeq is { } afterSeq)
            {
                writer.WriteNumber("after_seq", afterSeq);
            }

            writer.WriteString("reason", moderationEvent.Reason);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The event, or null for a body that is not one (logged by the caller).</summary>
    public static ModerationEvent? Decode(ReadOnlySpan<byte> body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body.ToArray());
            JsonElement root = document.RootElement;
            string? kind = root.TryGetProperty("kind", out JsonElement k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            string? user = root.TryGetProperty("user_id", out JsonElement u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            string? token = root.TryGetProperty("token_id", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            string? room = root.TryGetProperty("room", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            long? afterSeq = root.TryGetProperty("after_seq", out JsonElement a) && a.ValueKind == JsonValueKind.Number && a.TryGetInt64(out long after) && after >= 0 ? after : null;
            string reason = root.TryGetProperty("reason", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "ended";
            return kind is null || string.IsNullOrEmpty(user) ? null : new ModerationEvent(kind, user, token, reason) { Room = room, AfterSeq = afterSeq };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
