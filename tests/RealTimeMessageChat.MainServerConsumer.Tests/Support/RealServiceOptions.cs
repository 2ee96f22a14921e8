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

    /// <summary>
    /// A data source on the storage tests' own database beside <paramref name="options"/>' one
    /// (created when missing), migrated. Migrations never run in the services' shared database: a
    /// branch adding one would leave it where another branch's runner refuses it.
    /// </summary>
    public static async Task<NpgsqlDataSource> CreateMigratedDataSourceAsync(PostgresOptions options, CancellationToken cancellationToken)
    {
        string database = options.Database + "_storage_tests";
        await using (var admin = new NpgsqlConnection(options.BuildConnectionString()))
        {
            await admin.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @database", admin);
            exists.Parameters.AddWithValue("database", database);
            if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! == 0)
            {
                try
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
                    await create.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
                {
                    // Another test process created it first.
                }
            }
        }

        var own = new PostgresOptions
        {
            Host = options.Host,
            Port = options.Port,
            User = options.User,
            Password = options.Password,
            Database = database,
            MaxPoolSize = options.MaxPoolSize,
        };
        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(own.BuildConnectionString());
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(cancellationToken);
        return dataSource;
    }
}
