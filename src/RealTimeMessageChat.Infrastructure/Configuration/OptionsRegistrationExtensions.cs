using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RealTimeMessageChat.Infrastructure.Configuration;

/// <summary>Registers an options class bound to the flat top level of the configuration and validated at start.</summary>
public static class OptionsRegistrationExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to the root of <paramref name="configuration"/> (the files
    /// are flat), validates it by key name and fails the host's start when a value is bad.
    /// </summary>
    public static OptionsBuilder<TOptions> AddRtmcOptions<TOptions>(this IServiceCollection services, IConfiguration configuration)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>, KeyNamedOptionsValidator<TOptions>>();
        return services.AddOptions<TOptions>()
            .Configure(options => Bind(configuration, options))
            .ValidateOnStart();
    }

    /// <summary>Binds and validates at once, for code that needs a value before the host is built.</summary>
    public static TOptions GetValidated<TOptions>(this IConfiguration configuration)
        where TOptions : class, new()
    {
        var options = new TOptions();
        Bind(configuration, options);
        ValidateOptionsResult result = new KeyNamedOptionsValidator<TOptions>().Validate(null, options);
        return result.Failed ? throw new RtmcConfigurationException(result.FailureMessage) : options;
    }

    private static void Bind<TOptions>(IConfiguration configuration, TOptions options)
        where TOptions : class
    {
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message already names the key: "Failed to convert configuration value 'abc' at 'server_port'…".
            throw new RtmcConfigurationException(ex.Message);
        }
    }
}
