using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;
using RealTimeMessageChat.RestApi.Problems;

namespace RealTimeMessageChat.RestApi.Validation;

/// <summary>
/// Reads a JSON request body by hand rather than through parameter binding, so every way a body can
/// be wrong gets its own problem: not JSON (415), too large (413), not parseable (400 malformed), a
/// field of the wrong type (400 validation naming the field). Enforces the size limit itself as well,
/// because a server other than Kestrel (the test server) does not.
/// </summary>
internal static class JsonBodyReader
{
    /// <summary><see cref="ReadAsync"/>, then <paramref name="validate"/>: a body that is read but invalid becomes a 400 naming its fields.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadValidAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, int maxBodyBytes, Func<T, Dictionary<string, string[]>> validate, CancellationToken cancellationToken)
        where T : class
    {
        (T? body, ProblemHttpResult? problem) = await ReadAsync(request, typeInfo, maxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        Dictionary<string, string[]> errors = validate(body!);
        return errors.Count > 0 ? (null, ApiProblems.Validation(errors)) : (body, null);
    }

    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, int maxBodyBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, ApiProblems.UnsupportedMediaType());
        }

        if (request.ContentLength > maxBodyBytes)
        {
            return (null, TooLarge(maxBodyBytes));
        }

        // Pooled, sized from Content-Length when there is one: an ArrayBufferWriter here (4 KiB, then
        // 8 KiB when the read loop asked for room again) was about half of the 27 KB a publish
        // allocated (dotnet_gc_heap_total_allocated_bytes_total under load, 2026-12-04).
        int limit = maxBodyBytes + 1;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is long length ? (int)Math.Min(length + 1, limit) : Math.Min(4096, limit));
        int written = 0;
        try
        {
            while (true)
            {
                if (written == buffer.Length)
                {
                    buffer = Grow(buffer, Math.Min(buffer.Length * 2, limit));
                }

                // Never ask for more than one byte past the limit: a body without Content-Length
                // (chunked) is refused having read at most maxBodyBytes + 1 of it.
                int room = Math.Min(buffer.Length, limit) - written;
                int read = await request.Body.ReadAsync(buffer.AsMemory(written, room), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                written += read;
                if (written > maxBodyBytes)
                {
                    return (null, TooLarge(maxBodyBytes));
                }
            }

            return Parse(buffer.AsMemory(0, written), typeInfo);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own limit (413) or a broken request (400).
            return (null, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(maxBodyBytes)
                : ApiProblems.BadRequest(ex.StatusCode, "The request body could not be read."));
        }
        finally
        {
            // Nothing Parse returns points into the buffer: strings are decoded, and a JsonElement
            // the body deserializes into owns a copy of its bytes. Cleared first: a login body
            // holds a password.
            buffer.AsSpan(0, written).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static (T? Value, ProblemHttpResult? Problem) Parse<T>(ReadOnlyMemory<byte> body, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        // The parser checks UTF-8 only in the strings it decodes: invalid bytes in a field the API
        // ignores would pass, and in metadata would reach the queue. Refuse them all here.
        if (!Utf8.IsValid(body.Span))
        {
            return (null, ApiProblems.MalformedJson("The body is not valid UTF-8."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return (null, ApiProblems.MalformedJson($"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})."));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiProblems.MalformedJson("The body must be a JSON object."));
            }

            try
            {
                return (document.Deserialize(typeInfo), null);
            }
            catch (JsonException ex)
            {
                return (null, ApiProblems.Validation(FieldOf(ex.Path), "has the wrong type or format."));
            }
        }
    }

    private static byte[] Grow(byte[] buffer, int size)
    {
        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan().CopyTo(larger);
        buffer.AsSpan().Clear();
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    private static ProblemHttpResult TooLarge(int maxBodyBytes) =>
        ApiProblems.PayloadTooLarge($"The request body exceeds {maxBodyBytes} bytes.");

    /// <summary><c>$.metadata.x</c> → <c>metadata.x</c>; the root → <c>body</c>.</summary>
    private static string FieldOf(string? path) =>
        path is { Length: > 2 } && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
}
