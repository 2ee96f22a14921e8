using System.Net;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Observability;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using RealTimeMessageChat.MainServerConsumer.Consuming;
using RealTimeMessageChat.MainServerConsumer.Observability;
using RealTimeMessageChat.MainServerConsumer.Options;
using RealTimeMessageChat.MainServerConsumer.Persistence;

namespace RealTimeMessageChat.MainServerConsumer;

internal static class MainServerConsumerHostingExtensions
{
    /// <summary>Options, RabbitMQ, Redis, PostgreSQL (migrated at start), the consumer, the persister, health and metrics.</summary>
    public static WebApplicationBuilder AddMainServerConsumer(this WebApplicationBuilder builder)
    {
        IConfiguration configuration = builder.Configuration;
        IServiceCollection services = builder.Services;

        services.AddRtmcOptions<ConsumerOptions>(configuration);
        services.AddRtmcRabbitMq(configuration, "realtimemessagechat-mainserverconsumer");
        services.AddRtmcRedis(configuration);
        services.AddRtmcPostgres(configuration, migrate: true);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IMessageStore, PostgresMessageStore>();

        // The sender's ban flags, checked again here (issue 7): cached, dropped by the moderation channel.
        services.AddSingleton<IUserRepository, PostgresUserRepository>();
        services.AddRtmcSenderStatusCache(sp => TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<ConsumerOptions>>().Value.SenderStatusCacheSeconds));

        // Room membership, checked again here too (issue 8): cached, dropped by the control channel.
        services.AddRtmcRooms(sp => TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<ConsumerOptions>>().Value.RoomMembershipCacheSeconds));
        services.AddSingleton<ConsumerMetrics>();
        services.AddSingleton<MessageValidator>();
        services.AddSingleton<RabbitMqDeliverySettler>();
        services.AddSingleton<IDeliverySettler>(sp => sp.GetRequiredService<RabbitMqDeliverySettler>());
        services.AddSingleton<BatchProcessor>();

        // Hosted services start in this order: migrations (AddRtmcPostgres), the floors, then consuming.
        services.AddHostedService<SequenceFloorSeeder>();
        services.AddHostedService<RabbitMqConsumerService>();
        services.AddHostedService<MessagePersister>();

        services.AddRtmcHealthAndMetrics()
            .AddRedisReadiness()
            .AddRabbitMqReadiness()
            .AddPostgresReadiness();

        // Explicit Listen wins over ASPNETCORE_URLS and launch settings.
        ConsumerOptions consumer = configuration.GetValidated<ConsumerOptions>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (IPAddress.TryParse(consumer.HealthHost, out IPAddress? address))
            {
                kestrel.Listen(address, consumer.HealthPort);
            }
            else
            {
                kestrel.ListenLocalhost(consumer.HealthPort);
            }
        });
        return builder;
    }
}
