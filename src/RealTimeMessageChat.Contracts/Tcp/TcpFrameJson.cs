using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace RealTimeMessageChat.Contracts.Tcp;

/// <summary>
/// Turns a frame payload into its <c>command</c> and JSON, and typed frames into payload bytes.
/// Shared by MainServer and UserClient so both sides read frames by the same rules.
/// </summary>
public static class TcpFrameJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>
    /// Parses a payload. Throws <see cref="TcpFrameException"/> with a client-facing message when it is
    /// not UTF-8 JSON holding one object with a string <c>command</c>. The caller disposes the document.
    /// </summary>
    public static JsonDocument Parse(ReadOnlySequence<byte> payload, out string command)
    {
        // JsonDocument checks UTF-8 only when a string is read, so check the whole payload first:
        // a frame with invalid UTF-8 anywhere is refused, as CONTRACT.md requires.
        bool validUtf8 = payload.IsSingleSegment ? Utf8.IsValid(payload.FirstSpan) : Utf8.IsValid(payload.ToArray());
        if (!validUtf8)
        {
            throw new TcpFrameException("Frame is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new TcpFrameException($"Frame is not valid UTF-8 JSON: {ex.Message}", ex);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new TcpFrameException("Frame must hold one JSON object.");
        }

        try
        {
            // Both steps decode escapes: TryGetProperty each property name it compares, GetString the
            // value. Valid UTF-8 can still escape a lone surrogate ("\ud800"), which no string can
            // hold, in either place (issue 9: in a name it once escaped as InvalidOperationException).
            if (!document.RootElement.TryGetProperty("command", out JsonElement element) || element.ValueKind != JsonValueKind.String)
            {
                throw new TcpFrameException("Frame has no string \"command\".");
            }

            command = element.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            document.Dispose();
            throw new TcpFrameException($"Frame holds text that is not valid: {ex.Message}", ex);
        }
        catch (TcpFrameException)
        {
            document.Dispose();
            throw;
        }

        return document;
    }

    /// <summary>Serialises a frame record to its UTF-8 JSON payload (no length prefix).</summary>
    public static byte[] Serialize<T>(T frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToUtf8Bytes(frame, typeInfo);
}
