using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Sessions;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

public static class RedisServiceCollectionExtensions
{
    /// <summary>Registers <see cref="RedisOptions"/>, the shared multiplexer, the message log and the presence store and reader, the login sessions and the moderation channel, and the start check of a cluster's databases.</summary>
    public static IServiceCollection AddRtmcRedis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRtmcOptions<RedisOptions>(configuration);
        services.AddSingleton<RedisConnectionProvider>();
        services.AddHostedService<RedisTopologyCheck>();
        services.AddSingleton<IMessageLog, RedisMessageLog>();
        services.AddSingleton<IPresenceStore, RedisPresenceStore>();
        services.AddSingleton<IPresenceReader, RedisPresenceReader>();
        services.AddSingleton<ISessionStore, RedisSessionStore>();
        services.AddSingleton<IModerationEvents, RedisModerationEvents>();
        return services;
    }
}
