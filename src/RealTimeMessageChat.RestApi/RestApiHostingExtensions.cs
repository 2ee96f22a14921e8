using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Logging;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Observability;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.RestApi.OpenApi;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.RestApi.Endpoints;
using RealTimeMessageChat.RestApi.History;
using RealTimeMessageChat.RestApi.Login;
using RealTimeMessageChat.RestApi.Options;
using RealTimeMessageChat.RestApi.Problems;
using RealTimeMessageChat.RestApi.Publishing;
using RealTimeMessageChat.RestApi.Rooms;

namespace RealTimeMessageChat.RestApi;

/// <summary>The RestApi's composition root: options, services, middleware and endpoints.</summary>
internal static class RestApiHostingExtensions
{
    public static WebApplicationBuilder AddRestApi(this WebApplicationBuilder builder)
    {
        IConfiguration configuration = builder.Configuration;
        IServiceCollection services = builder.Services;

        services.AddRtmcOptions<RestApiOptions>(configuration);
        services.AddRtmcRabbitMq(configuration, "realtimemessagechat-restapi");
        services.AddRtmcJwt(configuration);
        services.AddRtmcPostgres(configuration, migrate: true);

        // Redis: login sessions (and their channel), presence reads and the history Redis still holds (issue 7).
        services.AddRtmcRedis(configuration);

        // Explicit Listen wins over ASPNETCORE_URLS; the body limit is Kestrel's, enforced again by JsonBodyReader.
        RestApiOptions listen = configuration.GetValidated<RestApiOptions>();
        ListenerTlsOptions tls = configuration.GetValidated<ListenerTlsOptions>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // use_ssl: HTTPS only on the one port, TLS 1.2/1.3, the certificate chain loaded once here.
            TlsServerContext? context = tls.UseSsl ? TlsServerContext.Load(tls.CertificatePath!, tls.KeyPath!) : null;
            void Https(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listenOptions)
            {
                if (context is not null)
                {
                    listenOptions.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = context.Certificate,
                        ServerCertificateChain = context.Intermediates,
                        SslProtocols = TlsTrust.Protocols,
                    });
                }
            }

            if (IPAddress.TryParse(listen.ServerHost, out IPAddress? address))
            {
                kestrel.Listen(address, listen.ServerPort, Https);
            }
            else
            {
                kestrel.ListenLocalhost(listen.ServerPort, Https);
            }

            kestrel.Limits.MaxRequestBodySize = listen.MaxBodyBytes;
        });

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new PasswordHasher(sp.GetRequiredService<IOptions<RestApiOptions>>().Value.PasswordHashIterations));
        services.AddSingleton<ILoginAttemptLimiter, LoginAttemptLimiter>();
        services.AddSingleton<RestApiMetrics>();
        services.AddSingleton<IMessagePublisher>(sp =>
        {
            RestApiOptions publish = sp.GetRequiredService<IOptions<RestApiOptions>>().Value;
            return new RabbitMqMessagePublisher(
                sp.GetRequiredService<RabbitMqConnectionProvider>(),
                sp.GetRequiredService<ILogger<RabbitMqMessagePublisher>>(),
                publish.PublishChannelCount,
                publish.PublishMaxInFlight);
        });
        services.AddSingleton<IUserRepository, PostgresUserRepository>();
        services.AddSingleton<IPresenceRepository, PostgresPresenceRepository>();

        services.AddSingleton<IModerationRepository, PostgresModerationRepository>();
        services.AddSingleton<SessionCheckCache>();
        services.AddSingleton<IModerationEventHandler>(sp => sp.GetRequiredService<SessionCheckCache>());
        services.AddRtmcSenderStatusCache(sp => TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<RestApiOptions>>().Value.SenderStatusCacheSeconds));
        services.AddRtmcRooms(sp => TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<RestApiOptions>>().Value.RoomMembershipCacheSeconds));
        services.AddSingleton<RoomAnnouncer>();
        services.AddSingleton<MessageAcceptor>();
        services.AddSingleton<IMessageArchive, PostgresMessageArchive>();
        services.AddSingleton<TieredMessageReader>();
        services.AddSingleton<IMessageHistory, TieredMessageHistory>();

        services.AddRtmcHealthAndMetrics().AddRabbitMqReadiness().AddPostgresReadiness();
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context => ProblemTypes.Apply(context.ProblemDetails));

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<JwtTokenService>((bearer, tokens) =>
            {
                // Claims keep their JWT names, so the sender is exactly the "sub" the token was issued with.
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = tokens.ValidationParameters;
                bearer.TokenHandlers.Clear();
                bearer.TokenHandlers.Add(tokens.CreateBearerTokenHandler());
                bearer.Events = new JwtBearerEvents
                {
                    OnTokenValidated = SessionValidation.OnTokenValidatedAsync,
                    OnChallenge = SessionValidation.OnChallengeAsync,
                };
            });
        services.AddAuthorization();

        // /openapi/v1.json describes the bodies with Contracts' source-generated metadata, so its
        // names are the wire's snake_case; everything else (problem details) keeps ASP.NET's names.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default));
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer<RtmcDocumentTransformer>().AddSchemaTransformer<SnakeCaseSchemaTransformer>());
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (rejected, _) =>
            {
                // The problem body comes from the status code pages; the client learns when to come back here.
                TimeSpan retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait) ? wait : TimeSpan.FromSeconds(1);
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(MessageEndpoints.RateLimitPolicy, PerUserTokenBucket);
        });
        return builder;
    }

    public static WebApplication UseRestApi(this WebApplication app)
    {
        // First, so the line it writes carries the status the rest of the pipeline settled on.
        app.UseRtmcRequestLogging();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A body that cannot be read (too large, broken chunking) is the client's fault, not a 500.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });

        // Every bare error status (404, 405, 401 challenges, 429) gets a problem+json body.
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapUserEndpoints();
        app.MapPresenceEndpoints();
        app.MapAuthEndpoints();
        app.MapSessionEndpoints();
        app.MapAdminEndpoints();
        app.MapMessageEndpoints();
        app.MapMessageHistoryEndpoints();
        app.MapDirectMessageEndpoints();
        app.MapRoomEndpoints();
        app.MapRoomMemberEndpoints();
        app.MapRtmcHealthAndMetrics();
        app.MapOpenApi();
        return app;
    }

    private static RateLimitPartition<string> PerUserTokenBucket(HttpContext context)
    {
        RestApiOptions options = context.RequestServices.GetRequiredService<IOptions<RestApiOptions>>().Value;
        string key = context.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value
                     ?? context.Connection.RemoteIpAddress?.ToString()
                     ?? "anonymous";
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.RateLimitBurst,
            TokensPerPeriod = options.RateLimitPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
