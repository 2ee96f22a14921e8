using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Http;
using RealTimeMessageChat.Bench.Tcp;

namespace RealTimeMessageChat.Bench.Http;

/// <summary>The RestApi as the bench uses it: accounts, login, and <c>POST /publishMessage</c> over a bounded connection pool.</summary>
internal sealed class ChatHttp : IDisposable
{
    public const string Password = "bench-password-1";

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _client;

    public ChatHttp(Uri baseAddress, int maxConnections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        _client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Registers <paramref name="userId"/> (an existing account is fine) and logs in.</summary>
    public async Task<BenchUser> EnsureUserAsync(string userId, CancellationToken cancellationToken)
    {
        var register = new RegisterRequest { UserId = userId, Password = Password };
        using (HttpResponseMessage created = await _client.PostAsJsonAsync("/api/v1/users", register, ContractsJsonContext.Default.RegisterRequest, cancellationToken))
        {
            if (created.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict))
            {
                throw new IOException($"POST /api/v1/users for {userId}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        var login = new LoginRequest { UserId = userId, Password = Password };
        using HttpResponseMessage response = await _client.PostAsJsonAsync("/api/v1/auth/login", login, ContractsJsonContext.Default.LoginRequest, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new IOException($"POST /api/v1/auth/login for {userId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        LoginResponse token = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.LoginResponse, cancellationToken)
            ?? throw new IOException("Empty login answer.");
        return new BenchUser(userId, token.Token);
    }

    /// <summary>One publish; the status code (202 accepted, 429 rate limited, 503 not confirmed, ...).</summary>
    public async Task<int> PublishAsync(BenchUser user, string content, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(
            new PublishRequest { Content = content, MessageId = Guid.NewGuid() },
            ContractsJsonContext.Default.PublishRequest);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/publishMessage")
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            // Drain the body so the connection can be reused.
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
        }

        return (int)response.StatusCode;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Fixed account names, so repeated runs against one database reuse them.</summary>
    public static string UserName(int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"bench-u{index:D2}");
}
