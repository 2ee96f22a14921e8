using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>The REST calls a user makes, against a running RestApi.</summary>
public sealed class ChatApi(string baseUrl, string? tlsCaPath = null) : IDisposable
{
    private readonly HttpClient _http = new(Handler(tlsCaPath)) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>An HTTPS API's certificate is checked against the local CA, never waved through.</summary>
    public static SocketsHttpHandler Handler(string? tlsCaPath) => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = RealTimeMessageChat.Infrastructure.Security.TlsTrust.Callback(tlsCaPath) },
    };

    public HttpClient Http => _http;

    /// <summary>Registers and logs in; returns the token.</summary>
    public async Task<string> RegisterAndLoginAsync(string userId, string password, CancellationToken cancellationToken)
    {
        using var register = await _http.PostAsJsonAsync("/api/v1/users", new { user_id = userId, password }, cancellationToken);
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        using var login = await _http.PostAsJsonAsync("/api/v1/auth/login", new { user_id = userId, password }, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        JsonObject body = (await login.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        return (string)body["token"]!;
    }

    public async Task<HttpResponseMessage> PublishAsync(string token, object body, CancellationToken cancellationToken, string path = "/publishMessage")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request, cancellationToken);
    }

    /// <summary>Publishes and insists on 202; returns the message id the API reported.</summary>
    public async Task<Guid> PublishAcceptedAsync(string token, string content, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await PublishAsync(token, new { content }, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"publish answered {(int)response.StatusCode}: {text}");
        return Guid.Parse((string)JsonNode.Parse(text)!["message_id"]!);
    }

    public void Dispose() => _http.Dispose();
}
