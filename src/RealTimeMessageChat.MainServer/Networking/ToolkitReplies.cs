using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>The original server's Connection reply, field for field and in its order (shared/legacy-toolkit/vectors.txt, S1).</summary>
internal static class ToolkitReplies
{
    public static byte[] Connection(string id, string sessionId, bool condition)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("sub_id", sessionId);

            // Always present, empty: the C++ client throws without them (WIRE.md); RTMC never encrypts.
            json.WriteString("key", string.Empty);
            json.WriteString("iv", string.Empty);
            json.WriteBoolean("encrypt_mode", false);
            json.WriteBoolean("condition", condition);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>Session ids in the original server's format: five groups of four hex digits, <c>1A2B-3C4D-5E6F-7A8B-9C0D</c>.</summary>
internal static class ToolkitSessionIds
{
    public static string Create()
    {
        Span<byte> bytes = stackalloc byte[10];
        RandomNumberGenerator.Fill(bytes);
        string hex = Convert.ToHexString(bytes);
        return string.Join('-', hex[..4], hex[4..8], hex[8..12], hex[12..16], hex[16..20]);
    }

    public static bool IsWellFormed(string? id)
    {
        if (id is not { Length: 24 })
        {
            return false;
        }

        for (int i = 0; i < id.Length; i++)
        {
            bool dash = i % 5 == 4;
            if (dash ? id[i] != '-' : !char.IsAsciiHexDigit(id[i]))
            {
                return false;
            }
        }

        return true;
    }
}
