using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.UserClient.Api;
using RealTimeMessageChat.UserClient.Tests.Fakes;

namespace RealTimeMessageChat.UserClient.Tests;

public sealed class ChatApiClientTests : IDisposable
{
    private readonly FakeRestApi _rest = new();

    [Fact]
    public async Task PublishAsync_TokenRefused_LogsInOnceAndRetriesWithSameMessageId()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        ChatApiClient api = CreateClient();
        _rest.PublishAnswers.Enqueue(HttpStatusCode.Unauthorized);
        var messageId = Guid.NewGuid();

        await api.PublishAsync("hi", messageId, cts.Token);

        RecordedRequest[] publishes = [.. _rest.Requests.Where(r => r.Path == "/publishMessage")];
        Assert.Equal(2, publishes.Length);
        Assert.Equal(["Bearer tok-1", "Bearer tok-2"], publishes.Select(p => p.Authorization));
        Assert.All(publishes, p => Assert.Equal(messageId.ToString(), (string?)p.Body?["message_id"]));
        Assert.Equal(2, _rest.Logins);
    }

    [Fact]
    public async Task PublishAsync_OverloadedThenAccepted_RetriesWithSameMessageId()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        ChatApiClient api = CreateClient();
        _rest.PublishAnswers.Enqueue(HttpStatusCode.ServiceUnavailable);
        _rest.PublishAnswers.Enqueue(HttpStatusCode.TooManyRequests);
        var messageId = Guid.NewGuid();

        var response = await api.PublishAsync("hi", messageId, cts.Token);

        Assert.Equal(messageId, response?.MessageId);
        Assert.Equal(3, _rest.Requests.Count(r => r.Path == "/publishMessage" && (string?)r.Body?["message_id"] == messageId.ToString()));
    }

    [Fact]
    public async Task PublishAsync_StillOverloadedAfterLastAttempt_Throws()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        ChatApiClient api = CreateClient(publishMaxAttempts: 2);
        _rest.PublishAnswers.Enqueue(HttpStatusCode.ServiceUnavailable);
        _rest.PublishAnswers.Enqueue(HttpStatusCode.ServiceUnavailable);

        var ex = await Assert.ThrowsAsync<ChatApiException>(() => api.PublishAsync("hi", Guid.NewGuid(), cts.Token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(2, _rest.Requests.Count(r => r.Path == "/publishMessage"));
    }

    [Fact]
    public async Task PublishAsync_Forbidden_ThrowsWithoutRetry()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        ChatApiClient api = CreateClient();
        _rest.PublishAnswers.Enqueue(HttpStatusCode.Forbidden);

        var ex = await Assert.ThrowsAsync<ChatApiException>(() => api.PublishAsync("hi", Guid.NewGuid(), cts.Token));

        Assert.False(ex.IsTransient);
        Assert.Single(_rest.Requests, r => r.Path == "/publishMessage");
    }

    [Fact]
    public async Task LoginAsync_WrongPassword_ThrowsNonTransient()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        ChatApiClient api = CreateClient();
        _rest.LoginAnswer = HttpStatusCode.Unauthorized;

        var ex = await Assert.ThrowsAsync<ChatApiException>(() => api.EnsureTokenAsync(cts.Token));

        Assert.False(ex.IsTransient);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.DoesNotContain("password1", ex.Message);
    }

    [Fact]
    public async Task RegisterAsync_AccountExists_Succeeds()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        ChatApiClient api = CreateClient();
        _rest.RegisterAnswer = HttpStatusCode.Conflict;

        await api.RegisterAsync(cts.Token);

        RecordedRequest register = Assert.Single(_rest.Requests);
        Assert.Equal("alice", (string?)register.Body?["user_id"]);
        Assert.Equal("password1", (string?)register.Body?["password"]);
    }

    public void Dispose() => _rest.Dispose();

    private ChatApiClient CreateClient(int publishMaxAttempts = 5) =>
        new(_rest.CreateClient(), "alice", "password1", NullLogger<ChatApiClient>.Instance, publishMaxAttempts);
}
