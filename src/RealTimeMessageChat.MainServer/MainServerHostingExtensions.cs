using System.Net;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Observability;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Networking;
using RealTimeMessageChat.MainServer.Options;
using RealTimeMessageChat.MainServer.Presence;
using RealTimeMessageChat.MainServer.Rooms;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer;

internal static class MainServerHostingExtensions
{
    /// <summary>Everything the MainServer process needs: Kestrel for health/metrics, Redis, PostgreSQL, JWT, the TCP server.</summary>
    public static WebApplicationBuilder AddMainServer(this WebApplicationBuilder builder)
    {
        MainServerOptions options = builder.Configuration.GetValidated<MainServerOptions>();

        // An explicit Listen wins over ASPNETCORE_URLS and the defaults.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.HealthHost), options.HealthPort));
        builder.Services.AddRtmcRedis(builder.Configuration);

        // PostgreSQL is off the live path (presence columns and history older than Redis holds), so
        // the MainServer neither migrates (RestApi and the consumer do) nor waits for it to be ready.
        builder.Services.AddRtmcPostgres(builder.Configuration, migrate: false);
        builder.Services.AddSingleton<IPresenceRepository, PostgresPresenceRepository>();
        builder.Services.AddSingleton<IMessageArchive, PostgresMessageArchive>();
        builder.Services.AddRtmcHealthAndMetrics().AddRedisReadiness();

        // Before the core: its membership cache must be cleared (on a resubscribe) before the
        // core's room handler re-checks the subscriptions against it.
        builder.Services.AddRtmcRooms(_ => TimeSpan.FromSeconds(options.RoomMembershipCacheSeconds));
        builder.Services.AddSingleton<ITypingRelay, RedisTypingRelay>();
        builder.Services.AddMainServerCore(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// The TCP server without its storage: options, JWT, session revocation, rooms and their rings, feed, presence queue, timer, listener and metrics.
    /// <c>IMessageLog</c>, <c>IPresenceStore</c>, <c>ISessionStore</c> and <c>IModerationEvents</c> come from <c>AddRtmcRedis</c>, <c>IPresenceRepository</c> from PostgreSQL,
    /// <c>IRoomMembership</c> and <c>IReadReceipts</c> from <c>AddRtmcRooms</c>, <c>ITypingRelay</c> from Redis (or a test's fakes).
    /// </summary>
    public static IServiceCollection AddMainServerCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRtmcOptions<MainServerOptions>(configuration);
        services.AddRtmcJwt(configuration);
        services.AddMetrics();
        services.AddSingleton<MainServerMetrics>();
        services.AddSingleton<IFrameCodec>(sp => new LengthPrefixedFrameCodec(sp.GetRequiredService<IOptions<MainServerOptions>>().Value.MaxFrameBytes));
        // Catch-up reads Redis, then IMessageArchive (PostgreSQL, or a test's fake) for what Redis no longer holds.
        services.AddSingleton<TieredMessageReader>();
        services.AddSingleton<RoomDirectory>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<Broadcaster>();
        services.AddSingleton<PresencePersister>();
        services.AddSingleton<PresenceWriter>();
        services.AddSingleton<PresenceFeed>();
        services.AddSingleton<SessionRevoker>();
        services.AddSingleton<IModerationEventHandler>(sp => sp.GetRequiredService<SessionRevoker>());
        services.AddSingleton<TypingService>();
        services.AddSingleton<ReadReceiptWriter>();
        services.AddSingleton<RoomSubscriptions>();
        services.AddSingleton<RoomMemberEventHandler>();
        services.AddSingleton<IModerationEventHandler>(sp => sp.GetRequiredService<RoomMemberEventHandler>());
        services.AddSingleton<CommandHandler>();
        services.AddSingleton<MessageFeedService>();
        services.AddSingleton<ConnectionTimer>();
        services.AddSingleton<TcpListenerService>();

        // Stopped in reverse order: the listener (and its clients) first, then the timer and the
        // feeds, and presence last, so it writes the offline of every client that was closed (and
        // PostgreSQL after Redis).
        services.AddHostedService(sp => sp.GetRequiredService<PresencePersister>());
        services.AddHostedService(sp => sp.GetRequiredService<PresenceWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<PresenceFeed>());
        services.AddHostedService(sp => sp.GetRequiredService<ReadReceiptWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<TypingService>());
        services.AddHostedService(sp => sp.GetRequiredService<MessageFeedService>());
        services.AddHostedService(sp => sp.GetRequiredService<ConnectionTimer>());
        services.AddHostedService(sp => sp.GetRequiredService<TcpListenerService>());

        // Ended sessions and bans close connections (ISessionStore and IModerationEvents come from AddRtmcRedis).
        services.AddRtmcModerationEvents();
        return services;
    }
}
