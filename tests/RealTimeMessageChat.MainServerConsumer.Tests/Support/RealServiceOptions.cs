using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>The Infrastructure options that point at the <see cref="ITestServices"/> of <see cref="RealServicesCollection"/>.</summary>
internal static class RealServiceOptions
{
    public static RedisOptions Redis(ITestServices services) => new()
    {
        Host = services.Redis.Host,
        Port = services.Redis.Port,
        Password = services.Redis.Password,
        DedupeTtlSeconds = 600,
        StreamMaxLength = 100_000,
    };

    public static RabbitMqOptions RabbitMq(ITestServices services) => new()
    {
        Host = services.RabbitMq.Host,
        Port = services.RabbitMq.Port,
        User = services.RabbitMq.User,
        Password = services.RabbitMq.Password,
        ReconnectIntervalSeconds = 1,
    };

    public static PostgresOptions Postgres(ITestServices services) => new()
    {
        Host = services.Postgres.Host,
        Port = services.Postgres.Port,
        User = services.Postgres.User,
        Password = services.Postgres.Password,
        Database = services.Postgres.Database,
        MaxPoolSize = 5,
    };

    public static RedisConnectionProvider CreateRedisProvider(RedisOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), NullLogger<RedisConnectionProvider>.Instance);

    public static async Task<NpgsqlDataSource> CreateMigratedDataSourceAsync(PostgresOptions options, CancellationToken cancellationToken)
    {
        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(options.BuildConnectionString());
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(cancellationToken);
        return dataSource;
    }
}
