using RealTimeMessageChat.TestUtilities.Sessions;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.RestApi.History;
using RealTimeMessageChat.RestApi.Tests.Fakes;

namespace RealTimeMessageChat.RestApi.Tests;

/// <summary>
/// The real RestApi in memory, with RabbitMQ, PostgreSQL (users, rooms), the Redis session store and message log replaced by fakes and its settings given
/// here, so no file edits and no services are needed. The JWT secret is made per factory.
/// </summary>
public sealed class RestApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public RestApiFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    internal RestApiFactory(IReadOnlyDictionary<string, string?> overrides)
    {
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["jwt_secret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
        };
        foreach (var (key, value) in overrides)
        {
            _settings[key] = value;
        }
    }

    internal InMemoryUserRepository Users { get; } = new();

    internal FakeMessagePublisher Publisher { get; } = new();

    internal InMemoryMessageHistory History { get; } = new();

    internal InMemorySessionStore Sessions { get; } = new();

    internal InMemoryRooms Rooms { get; } = new();

    internal FakeSeqLog Log { get; } = new();

    /// <summary>Now, to the second; the app's clock for the queue body.</summary>
    internal DateTimeOffset Now { get; } = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    /// <summary>The hasher to use instead of the cheap default; set before the first request.</summary>
    internal PasswordHasher? Hasher { get; init; }

    internal JwtTokenService Tokens => Services.GetRequiredService<JwtTokenService>();

    /// <summary>Registers <paramref name="userId"/> and logs in; returns the token.</summary>
    public async Task<string> RegisterAndLoginAsync(HttpClient client, string userId, CancellationToken cancellationToken)
    {
        HttpResponseMessage register = await client.PostAsJsonAsync("/api/v1/users", new { user_id = userId, password = "correct horse" }, cancellationToken);
        register.EnsureSuccessStatusCode();
        HttpResponseMessage login = await client.PostAsJsonAsync("/api/v1/auth/login", new { user_id = userId, password = "correct horse" }, cancellationToken);
        login.EnsureSuccessStatusCode();
        JsonObject body = (await login.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        return body["token"]!.GetValue<string>();
    }

    public HttpClient CreateClient(string token)
    {
        HttpClient client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IUserRepository>();
            services.AddSingleton<IUserRepository>(Users);
            services.RemoveAll<IMessagePublisher>();
            services.AddSingleton<IMessagePublisher>(Publisher);
            services.RemoveAll<ISessionStore>();
            services.AddSingleton<ISessionStore>(Sessions);
            services.RemoveAll<IModerationEvents>();
            services.AddSingleton<IModerationEvents>(Sessions);
            services.RemoveAll<IRoomRepository>();
            services.AddSingleton<IRoomRepository>(Rooms);
            services.RemoveAll<IRoomMembership>();
            services.AddSingleton<IRoomMembership>(Rooms);
            services.RemoveAll<IMessageLog>();
            services.AddSingleton<IMessageLog>(Log);
            services.RemoveAll<IMessageHistory>();
            services.AddSingleton<IMessageHistory>(History);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(new FixedTimeProvider(Now));

            // Cheap hashes (the real iteration count would only slow the tests down), unless a test
            // asks for the configured hasher or brings its own.
            if (!_settings.ContainsKey("password_hash_iterations"))
            {
                services.RemoveAll<PasswordHasher>();
                services.AddSingleton(Hasher ?? new PasswordHasher(iterations: 1_000));
            }

            // No PostgreSQL here: drop the migration step that runs at start.
            foreach (ServiceDescriptor hosted in services.Where(d => d.ServiceType == typeof(IHostedService)
                         && d.ImplementationType?.Assembly == typeof(IUserRepository).Assembly).ToList())
            {
                services.Remove(hosted);
            }
        });
    }
}
