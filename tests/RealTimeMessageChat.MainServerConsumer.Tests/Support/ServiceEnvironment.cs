using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>
/// The real servers the integration tests use, from the variables <c>./build.sh</c> exports
/// (missing ones are handled by <see cref="RealServices.Require"/>).
/// </summary>
internal static class ServiceEnvironment
{
    public static RedisOptions RequireRedis()
    {
        string? host = Environment.GetEnvironmentVariable("RTMC_REDIS_HOST");
        string? port = Environment.GetEnvironmentVariable("RTMC_REDIS_PORT");
        RealServices.Require("RTMC_REDIS_PORT");

        return new RedisOptions
        {
            Host = string.IsNullOrEmpty(host) ? "127.0.0.1" : host,
            Port = int.Parse(port!, System.Globalization.CultureInfo.InvariantCulture),
            Password = Environment.GetEnvironmentVariable("RTMC_REDIS_PASSWORD") ?? string.Empty,
            DedupeTtlSeconds = 600,
            StreamMaxLength = 100_000,
        };
    }

    public static RabbitMqOptions RequireRabbitMq()
    {
        string? port = Environment.GetEnvironmentVariable("RTMC_RABBITMQ_PORT");
        RealServices.Require("RTMC_RABBITMQ_PORT");

        return new RabbitMqOptions
        {
            Host = Environment.GetEnvironmentVariable("RTMC_RABBITMQ_HOST") ?? "127.0.0.1",
            Port = int.Parse(port!, System.Globalization.CultureInfo.InvariantCulture),
            User = Environment.GetEnvironmentVariable("RTMC_RABBITMQ_USER") ?? "guest",
            Password = Environment.GetEnvironmentVariable("RTMC_RABBITMQ_PASSWORD") ?? "guest",
            ReconnectIntervalSeconds = 1,
        };
    }

    public static PostgresOptions RequirePostgres()
    {
        string? port = Environment.GetEnvironmentVariable("RTMC_POSTGRES_PORT");
        RealServices.Require("RTMC_POSTGRES_PORT");

        return new PostgresOptions
        {
            Host = Environment.GetEnvironmentVariable("RTMC_POSTGRES_HOST") ?? "127.0.0.1",
            Port = int.Parse(port!, System.Globalization.CultureInfo.InvariantCulture),
            User = Environment.GetEnvironmentVariable("RTMC_POSTGRES_USER") ?? "rtmc",
            Password = Environment.GetEnvironmentVariable("RTMC_POSTGRES_PASSWORD") ?? string.Empty,
            Database = Environment.GetEnvironmentVariable("RTMC_POSTGRES_DATABASE") ?? "rtmc",
            MaxPoolSize = 5,
        };
    }

    public static RedisConnectionProvider CreateRedisProvider(RedisOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), NullLogger<RedisConnectionProvider>.Instance);

    public static async Task<NpgsqlDataSource> CreateMigratedDataSourceAsync(PostgresOptions options, CancellationToken cancellationToken)
    {
        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(options.BuildConnectionString());
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(cancellationToken);
        return dataSource;
    }
}
