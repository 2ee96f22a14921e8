using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Configuration;

namespace RealTimeMessageChat.Infrastructure.Messaging;

public static class RabbitMqServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RabbitMqOptions"/> (validated at start) and the process's one
    /// <see cref="RabbitMqConnectionProvider"/>, shown to the broker as <paramref name="clientName"/>.
    /// </summary>
    public static IServiceCollection AddRtmcRabbitMq(this IServiceCollection services, IConfiguration configuration, string clientName)
    {
        services.AddRtmcOptions<RabbitMqOptions>(configuration);
        services.AddSingleton(sp => new RabbitMqConnectionProvider(
            sp.GetRequiredService<IOptions<RabbitMqOptions>>(),
            sp.GetRequiredService<ILogger<RabbitMqConnectionProvider>>())
        {
            ClientName = clientName,
        });
        return services;
    }
}
