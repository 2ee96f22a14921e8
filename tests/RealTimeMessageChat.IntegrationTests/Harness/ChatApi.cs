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

    /// <summary>Any call with the bearer token and an optional JSON body.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, CancellationToken cancellationToken, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request, cancellationToken);
    }

    /// <summary>GET that insists on 200; returns the JSON body.</summary>
    public async Task<JsonObject> GetJsonAsync(string token, string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Get, path, token, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Creates a room (issue 8: publishing to a room other than "" needs one, and membership); the token's user owns it and is its first member.</summary>
    public async Task CreateRoomAsync(string token, string roomId, CancellationToken cancellationToken, string visibility = "public")
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Post, "/api/v1/rooms", token, cancellationToken, new { room_id = roomId, name = roomId, visibility });
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating room {roomId} answered {(int)response.StatusCode}: {text}");
    }

    /// <summary>Joins a public room (no <paramref name="userId"/>) or adds <paramref name="userId"/> as the room's owner; insists on 201 or 200.</summary>
    public async Task AddMemberAsync(string token, string roomId, CancellationToken cancellationToken, string? userId = null)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Post, $"/api/v1/rooms/{roomId}/members", token, cancellationToken, userId is null ? null : new { user_id = userId });
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"adding {userId ?? "self"} to {roomId} answered {(int)response.StatusCode}: {text}");
    }

    /// <summary>Publishes <paramref name="content"/> to <paramref name="roomId"/> (<c>sub_id</c>) and insists on 202; returns the message id.</summary>
    public async Task<Guid> PublishToRoomAsync(string token, string roomId, string content, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await PublishAsync(token, new { content, sub_id = roomId }, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"publish to '{roomId}' answered {(int)response.StatusCode}: {text}");
        return Guid.Parse((string)JsonNode.Parse(text)!["message_id"]!);
    }

    /// <summary>Removes <paramref name="userId"/> from <paramref name="roomId"/> (or leaves, for oneself); insists on 204.</summary>
    public async Task RemoveMemberAsync(string token, string roomId, string userId, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Delete, $"/api/v1/rooms/{roomId}/members/{userId}", token, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"removing {userId} from {roomId} answered {(int)response.StatusCode}: {text}");
    }

    /// <summary><c>POST /api/v1/messages/direct</c>, insisting on 202; returns the DM room (<c>sub_id</c>) and the message id.</summary>
    public async Task<(string Room, Guid MessageId)> SendDirectAsync(string token, string to, string content, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await SendAsync(HttpMethod.Post, "/api/v1/messages/direct", token, cancellationToken, new { to, content });
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"DM to {to} answered {(int)response.StatusCode}: {text}");
        JsonNode body = JsonNode.Parse(text)!;
        return ((string)body["sub_id"]!, Guid.Parse((string)body["message_id"]!));
    }

    public void Dispose() => _http.Dispose();
}
