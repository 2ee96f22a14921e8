using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.Infrastructure.Storage.Redis;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>
/// The real servers the integration tests use, from the variables <c>./build.sh</c> exports. Missing
/// under the project's test command (<c>RTMC_SERVICES=1</c>) is a failure; under a bare
/// <c>dotnet test</c> the test is skipped with the command to run.
/// </summary>
internal static class ServiceEnvironment
{
    private const string SkipReason = "needs Redis, RabbitMQ and PostgreSQL: run ./build.sh test";

    public static RedisOptions RequireRedis()
    {
        string? host = Environment.GetEnvironmentVariable("RTMC_REDIS_HOST");
        string? port = Environment.GetEnvironmentVariable("RTMC_REDIS_PORT");
        if (string.IsNullOrEmpty(port))
        {
            Unavailable("RTMC_REDIS_PORT");
        }

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
        if (string.IsNullOrEmpty(port))
        {
            Unavailable("RTMC_RABBITMQ_PORT");
        }

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
        if (string.IsNullOrEmpty(port))
        {
            Unavailable("RTMC_POSTGRES_PORT");
        }

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

    private static void Unavailable(string variable)
    {
        if (Environment.GetEnvironmentVariable("RTMC_SERVICES") == "1")
        {
            Assert.Fail($"RTMC_SERVICES=1 but {variable} is not set: the services were not started.");
        }

        Assert.Skip(SkipReason);
    }
}
