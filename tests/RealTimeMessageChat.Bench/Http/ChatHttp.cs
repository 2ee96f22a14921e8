using System.Net;
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

    private readonly HttpClient _client;
    private readonly RawHttpPool _publishes;

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
        _publishes = new RawHttpPool(baseAddress, maxConnections);
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

    /// <summary>One publish over the raw keep-alive pool; the status code (202 accepted, 429 rate limited, 503 not confirmed, ...).</summary>
    public async Task<int> PublishAsync(BenchUser user, string content, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(
            new PublishRequest { Content = content, MessageId = Guid.NewGuid() },
            ContractsJsonContext.Default.PublishRequest);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            return await _publishes.PostJsonAsync("/publishMessage", user.Token, body, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException("No answer within 30 s.", ex);
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _publishes.Dispose();
    }

    /// <summary>Fixed account names, so repeated runs against one database reuse them.</summary>
    public static string UserName(int index) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"bench-u{index:D2}");
}
