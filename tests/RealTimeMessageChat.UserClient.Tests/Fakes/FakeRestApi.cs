using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace RealTimeMessageChat.UserClient.Tests.Fakes;

/// <summary>
/// The RestApi as an <see cref="HttpMessageHandler"/>: login hands out tok-1, tok-2…; publish answers
/// from a queue of scripted status codes (202 when empty). Every request is recorded.
/// </summary>
internal sealed class FakeRestApi : HttpMessageHandler
{
    private int _logins;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Status codes for the next publish calls, in order.</summary>
    public ConcurrentQueue<HttpStatusCode> PublishAnswers { get; } = new();

    public HttpStatusCode LoginAnswer { get; set; } = HttpStatusCode.OK;

    public HttpStatusCode RegisterAnswer { get; set; } = HttpStatusCode.Created;

    public int Logins => Volatile.Read(ref _logins);

    public TaskCompletionSource<RecordedRequest> FirstPublish { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HttpClient CreateClient() => new(this) { BaseAddress = new Uri("http://rest.test/") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(request.RequestUri!.AbsolutePath, request.Headers.Authorization?.ToString(), (body.Length == 0 ? null : JsonNode.Parse(body)?.AsObject()));
        Requests.Enqueue(recorded);
        switch (recorded.Path)
        {
            case "/api/v1/users":
                return Json(RegisterAnswer, """{"user_id":"alice"}""");
            case "/api/v1/auth/login":
                if (LoginAnswer != HttpStatusCode.OK)
                {
                    return Json(LoginAnswer, """{"type":"about:blank","title":"Invalid credentials"}""");
                }

                int n = Interlocked.Increment(ref _logins);
                return Json(HttpStatusCode.OK, $$"""{"token":"tok-{{n}}","expires_at":"{{DateTimeOffset.UtcNow.AddHours(1):O}}","user_id":"alice"}""");
            case "/publishMessage":
                HttpStatusCode status = PublishAnswers.TryDequeue(out HttpStatusCode scripted) ? scripted : HttpStatusCode.Accepted;
                if (status == HttpStatusCode.Accepted)
                {
                    FirstPublish.TrySetResult(recorded);
                }

                return Json(status, status == HttpStatusCode.Accepted
                    ? $$"""{"success":true,"message_id":"{{recorded.Body?["message_id"]}}","queue_name":"message_broadcast_queue"}"""
                    : """{"title":"nope"}""");
            case "/api/v1/rooms":
                return Json(HttpStatusCode.OK, """{"rooms":[{"room_id":"team","name":"Team","visibility":"public","unread":2}]}""");
            case "/api/v1/rooms/team/members":
                return Json(HttpStatusCode.OK, """{"members":[{"user_id":"alice","online":true},{"user_id":"bob","online":false}]}""");
            case "/api/v1/messages/direct":
                return Json(HttpStatusCode.Accepted, $$"""{"success":true,"message_id":"{{recorded.Body?["message_id"]}}","sub_id":"dm-0123456789abcdef0123"}""");
            default:
                return new HttpResponseMessage(HttpStatusCode.NotFound);
        }
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
