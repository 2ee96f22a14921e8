using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using RealTimeMessageChat.Infrastructure.Configuration;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary>One <see cref="NpgsqlDataSource"/> per process: its pool serves the repositories, the persister, the health probe and the migrations.</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>Registers the data source and, when <paramref name="migrate"/>, applies migrations during host start.</summary>
    public static IServiceCollection AddRtmcPostgres(this IServiceCollection services, IConfiguration configuration, bool migrate)
    {
        services.AddRtmcOptions<PostgresOptions>(configuration);
        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.BuildConnectionString()));
        services.AddSingleton<MigrationRunner>();
        if (migrate)
        {
            services.AddHostedService<MigrationHostedService>();
        }

        return services;
    }
}
