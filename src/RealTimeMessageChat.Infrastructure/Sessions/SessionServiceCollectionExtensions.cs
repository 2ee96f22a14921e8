using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.Infrastructure.Sessions;

public static class SessionServiceCollectionExtensions
{
    /// <summary>The moderation channel's subscriber, which feeds every registered <see cref="IModerationEventHandler"/>.</summary>
    public static IServiceCollection AddRtmcModerationEvents(this IServiceCollection services)
    {
        services.AddHostedService<ModerationEventSubscriber>();
        return services;
    }

    /// <summary>The shared <see cref="SenderStatusCache"/> (needs an <see cref="IUserRepository"/>), kept current by the moderation channel.</summary>
    public static IServiceCollection AddRtmcSenderStatusCache(this IServiceCollection services, Func<IServiceProvider, TimeSpan> ttl)
    {
        services.TryAddSingleton(sp => new SenderStatusCache(sp.GetRequiredService<IUserRepository>(), ttl(sp)));
        services.AddSingleton<IModerationEventHandler>(sp => sp.GetRequiredService<SenderStatusCache>());
        return services.AddRtmcModerationEvents();
    }
}
