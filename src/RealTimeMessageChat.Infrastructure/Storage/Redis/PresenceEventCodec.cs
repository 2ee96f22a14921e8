using System.Buffers;
using System.Text.Json;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// The pub/sub body of a batch of presence changes between servers (internal, not a client
/// contract): <c>[{"id","kind":"online"|"offline"|"text","text"?,"at_ms"}...]</c>.
/// </summary>
internal static class PresenceEventCodec
{
    public static byte[] Encode(IReadOnlyList<PresenceChange> changes)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * changes.Count);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (PresenceChange change in changes)
            {
                writer.WriteStartObject();
                writer.WriteString("id", change.UserId);
                writer.WriteString("kind", change.Kind switch
                {
                    PresenceChangeKind.Online => "online",
                    PresenceChangeKind.Offline => "offline",
                    _ => "text",
                });
                if (change.Text is not null)
                {
                    writer.WriteString("text", change.Text);
                }

                writer.WriteNumber("at_ms", change.At.ToUnixTimeMilliseconds());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="JsonException">Not a batch this codec wrote.</exception>
    public static IReadOnlyList<PresenceChange> Decode(byte[] body)
    {
        using JsonDocument document = JsonDocument.Parse(body);
        var changes = new List<PresenceChange>(document.RootElement.GetArrayLength());
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            PresenceChangeKind kind = item.GetProperty("kind").GetString() switch
            {
                "online" => PresenceChangeKind.Online,
                "offline" => PresenceChangeKind.Offline,
                "text" => PresenceChangeKind.Text,
                var other => throw new JsonException($"Unknown presence kind '{other}'."),
            };
            string? text = item.TryGetProperty("text", out JsonElement t) ? t.GetString() : null;
            changes.Add(new PresenceChange(
                item.GetProperty("id").GetString() ?? throw new JsonException("Presence change without id."),
                kind,
                text,
                DateTimeOffset.FromUnixTimeMilliseconds(item.GetProperty("at_ms").GetInt64())));
        }

        return changes;
    }
}
