using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

/// <summary>
/// Issue 9, "Bad input at every edge", at the HTTP edge: nesting attacks, invalid UTF-8, broken JSON,
/// wrong media types and oversized bodies each get their problem without the body being read whole,
/// and text of every kind is carried into the queue body unchanged.
/// </summary>
public sealed class BadInputTests(RestApiFactory factory) : IClassFixture<RestApiFactory>
{
    private const int MaxBodyBytes = 65536;

    [Theory]
    [InlineData("content")]
    [InlineData("metadata")]
    public async Task Publish_TenThousandLevelsOfArrays_Returns400Quickly(string field)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await ClientAsync("deep_arrays_" + field, cts.Token);
        string deep = new string('[', 10_000) + new string(']', 10_000);
        string body = field == "content" ? "{\"content\":" + deep + "}" : "{\"content\":\"x\",\"metadata\":{\"k\":" + deep + "}}";

        HttpResponseMessage response = await PostAsync(client, body, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json", cts.Token);
    }

    [Fact]
    public async Task Publish_TenThousandLevelsOfObjectsInMetadata_Returns400()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await ClientAsync("deep_objects", cts.Token);
        string deep = string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000);

        HttpResponseMessage response = await PostAsync(client, "{\"content\":\"x\",\"metadata\":" + deep + "}", cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json", cts.Token);
    }

    [Fact]
    public async Task Publish_UnclosedNestingToTheBodyLimit_Returns400()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await ClientAsync("deep_unclosed", cts.Token);

        HttpResponseMessage response = await PostAsync(client, "{\"content\":" + new string('[', MaxBodyBytes - 20), cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json", cts.Token);
    }

    public static TheoryData<string, byte[]> InvalidUtf8 => new()
    {
        { "lone continuation byte in content", [.. "{\"content\":\"a"u8, 0x80, .. "\"}"u8] },
        { "0xFF in content", [.. "{\"content\":\"a"u8, 0xFF, .. "\"}"u8] },
        { "overlong NUL in content", [.. "{\"content\":\"a"u8, 0xC0, 0x80, .. "\"}"u8] },
        { "UTF-8 encoded surrogate in content", [.. "{\"content\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8] },
        { "truncated sequence in content", [.. "{\"content\":\""u8, 0xE2, 0x82, .. "\"}"u8] },
        { "invalid bytes in a field the API ignores", [.. "{\"content\":\"x\",\"zzz\":\""u8, 0xFE, 0xFF, .. "\"}"u8] },
        { "invalid bytes in a metadata name", [.. "{\"content\":\"x\",\"metadata\":{\""u8, 0xC3, .. "\":1}}"u8] },
        { "invalid bytes outside any string", [.. "{\"content\":\"x\""u8, 0xFF, .. "}"u8] },
        { "latin-1 instead of UTF-8", [.. "{\"content\":\"caf"u8, 0xE9, .. "\"}"u8] },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public async Task Publish_InvalidUtf8_Returns400AndPublishesNothing(string description, byte[] body)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await ClientAsync("utf8_" + Math.Abs(description.GetHashCode(StringComparison.Ordinal)), cts.Token);
        int before = factory.Publisher.Published.Count;

        HttpResponseMessage response = await PostAsync(client, body, cts.Token);

        JsonObject problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json", cts.Token);
        Assert.Contains("UTF-8", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, factory.Publisher.Published.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"content\"")]
    [InlineData("{\"content\":\"x\",}")]
    [InlineData("{\"content\":'x'}")]
    [InlineData("{content:\"x\"}")]
    [InlineData("{\"content\":\"x\"} // comment")]
    [InlineData("{\"content\":\"x\"}{\"content\":\"y\"}")]
    [InlineData("{\"content\":\"x\",\"priority\":NaN}")]
    [InlineData("{\"content\":\"x\\q\"}")]
    [InlineData("{\"content\":\"x\\u12\"}")]
    [InlineData("{\"content\":\"tab\tinside\"}")]
    public async Task Publish_MalformedJson_Returns400Problem(string body)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await ClientAsync("malformed_" + Math.Abs(body.GetHashCode(StringComparison.Ordinal)), cts.Token);

        HttpResponseMessage response = await PostAsync(client, body, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json", cts.Token);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/json")]
    [InlineData("application/xml")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task Publish_WrongOrMissingContentType_Returns415(string? mediaType)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await ClientAsync("media_" + Math.Abs((mediaType ?? "none").GetHashCode(StringComparison.Ordinal)), cts.Token);
        var content = new ByteArrayContent("""{"content":"x"}"""u8.ToArray());
        content.Headers.ContentType = mediaType is null ? null : MediaTypeHeaderValue.Parse(mediaType);

        HttpResponseMessage response = await client.PostAsync("/publishMessage", content, cts.Token);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type", cts.Token);
    }

    // Straight into the test server, so the body stream counts what the API itself reads (through
    // HttpClient the test server's handler copies the whole body whatever the API does).
    [Fact]
    public async Task Publish_ContentLengthOverTheLimit_Returns413WithoutReadingTheBody()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        string token = await factory.RegisterAndLoginAsync(factory.CreateClient(), "big_announced", cts.Token);
        var body = new EndlessJsonStream(10 * 1024 * 1024);

        HttpContext context = await SendRawAsync(token, body, contentLength: body.Length, cts.Token);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, context.Response.StatusCode);
        Assert.Contains("payload-too-large", await new StreamReader(context.Response.Body).ReadToEndAsync(cts.Token), StringComparison.Ordinal);
        Assert.Equal(0, body.BytesRead);
    }

    [Fact]
    public async Task Publish_ChunkedBodyOverTheLimit_Returns413AfterReadingJustPastTheLimit()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        string token = await factory.RegisterAndLoginAsync(factory.CreateClient(), "big_chunked", cts.Token);
        var body = new EndlessJsonStream(10 * 1024 * 1024);

        HttpContext context = await SendRawAsync(token, body, contentLength: null, cts.Token);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, context.Response.StatusCode);
        Assert.Contains("payload-too-large", await new StreamReader(context.Response.Body).ReadToEndAsync(cts.Token), StringComparison.Ordinal);
        Assert.Equal(MaxBodyBytes + 1, body.BytesRead);
    }

    // A body without Content-Length, several times the first read buffer, read in small pieces:
    // every byte of it reaches the queue.
    [Fact]
    public async Task Publish_ChunkedBodyUnderTheLimit_IsReadWhole()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        string token = await factory.RegisterAndLoginAsync(factory.CreateClient(), "mid_chunked", cts.Token);
        var messageId = Guid.NewGuid();
        string padding = string.Concat(Enumerable.Range(0, 3000).Select(i => (char)('a' + (i % 26))));
        byte[] json = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["content"] = "chunked",
            ["message_id"] = messageId.ToString(),
            ["metadata"] = new JsonObject { ["a"] = padding, ["b"] = padding, ["c"] = padding, ["d"] = padding, ["e"] = padding },
        }.ToJsonString());
        Assert.InRange(json.Length, 12_000, MaxBodyBytes);

        HttpContext context = await SendRawAsync(token, new TrickleStream(json, 700), contentLength: null, cts.Token);

        Assert.Equal(StatusCodes.Status202Accepted, context.Response.StatusCode);
        Fakes.PublishedMessage published = Assert.Single(factory.Publisher.Published, p => p.MessageId == messageId.ToString());
        JsonNode metadata = JsonNode.Parse(published.BodyBytes)!["publisher_information"]!["metadata"]!;
        Assert.Equal(padding, metadata["e"]!.GetValue<string>());
        Assert.Equal(5, metadata.AsObject().Count);
    }

    public static TheoryData<string, string> Texts => new()
    {
        { "SQL injection", "'; DROP TABLE messages; --" },
        { "SQL and format metacharacters", "x' OR '1'='1'; /* */ -- $1 %s %n {0} \\x00 `rm -rf` \\ \" \\\\" },
        { "HTML", "<script>alert('&amp;')</script> + & ' \"" },
        { "emoji", "😀🎉👍🏽 🇯🇵" },
        { "ZWJ sequence", "👨‍👩‍👧‍👦 👩🏽‍💻" },
        { "combining marks", "e\u0301 a\u0308 n\u0303 Z\u0351\u0360\u0361\u0362\u0489" },
        { "RTL and bidi controls", "\u200Fשלום\u200E مرحبا \u202Eevil\u202C \u2066isolate\u2069" },
        { "zero-width characters", "a\u200Bb\u200Cc\u200Dd\u2060e\uFEFFf" },
        { "CJK", "中文 日本語 한국어 ｆｕｌｌｗｉｄｔｈ" },
        { "astral plane", "𝄞 𝕳𝖊𝖑𝖑𝖔 𠀀𪛖 \U0001F9D1\u200D\U0001F680 \U000E0041 \U0010FFFD" },
        { "noncharacters", "\uFFFE \uFFFF \uFDD0 \uFDEF \U0001FFFE \U0010FFFF" },
        { "controls but U+0000", "\u0001\u0007\b\t\n\v\f\r\u001B[31mred\u001B[0m \u007F \u0080\u0085\u009B\u009F" },
        { "line and paragraph separators", "a\u2028b\u2029c" },
        { "replacement character and BOM", "\uFFFD\uFEFF" },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task Publish_AnyClassOfText_IsQueuedByteForByte(string description, string text)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using HttpClient client = await ClientAsync("text_" + Math.Abs(description.GetHashCode(StringComparison.Ordinal)), cts.Token);
        var messageId = Guid.NewGuid();
        byte[] body = Encoding.UTF8.GetBytes(new JsonObject { ["content"] = text, ["message_id"] = messageId.ToString() }.ToJsonString());

        HttpResponseMessage response = await PostAsync(client, body, cts.Token);

        Assert.True(HttpStatusCode.Accepted == response.StatusCode, $"{description}: {await response.Content.ReadAsStringAsync(cts.Token)}");
        Fakes.PublishedMessage published = Assert.Single(factory.Publisher.Published, p => p.MessageId == messageId.ToString());
        string queued = JsonNode.Parse(published.BodyBytes)!["message"]!["content"]!.GetValue<string>();
        Assert.Equal(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(queued));
    }

    private Task<HttpContext> SendRawAsync(string token, Stream body, long? contentLength, CancellationToken cancellationToken) =>
        factory.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Post;
            context.Request.Path = "/publishMessage";
            context.Request.Headers.Authorization = "Bearer " + token;
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = contentLength;
            context.Request.Body = body;
        }, cancellationToken);

    private async Task<HttpClient> ClientAsync(string userId, CancellationToken cancellationToken) =>
        factory.CreateClient(await factory.RegisterAndLoginAsync(factory.CreateClient(), userId, cancellationToken));

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string body, CancellationToken cancellationToken) =>
        PostAsync(client, Encoding.UTF8.GetBytes(body), cancellationToken);

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] body, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return client.PostAsync("/publishMessage", content, cancellationToken);
    }

    /// <summary>A fixed body handed out at most <paramref name="piece"/> bytes per read.</summary>
    private sealed class TrickleStream(byte[] body, int piece) : MemoryStream(body)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, piece));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, piece)], cancellationToken);
    }

    /// <summary>A JSON body that is mostly one long string, produced as it is read, counting what was taken.</summary>
    private sealed class EndlessJsonStream(long length) : Stream
    {
        private static readonly byte[] Prefix = "{\"content\":\""u8.ToArray();
        private long _position;

        public long BytesRead => Interlocked.Read(ref _position);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            for (int i = 0; i < n; i++)
            {
                long at = _position + i;
                buffer[offset + i] = at < Prefix.Length ? Prefix[at] : (byte)'a';
            }

            Interlocked.Add(ref _position, n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
