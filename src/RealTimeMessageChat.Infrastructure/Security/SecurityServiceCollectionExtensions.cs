using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RealTimeMessageChat.Infrastructure.Configuration;

namespace RealTimeMessageChat.Infrastructure.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>Registers <see cref="JwtOptions"/> (validated at start) and <see cref="JwtTokenService"/>.</summary>
    public static IServiceCollection AddRtmcJwt(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRtmcOptions<JwtOptions>(configuration);
        services.AddSingleton<JwtTokenService>();
        return services;
    }
}
