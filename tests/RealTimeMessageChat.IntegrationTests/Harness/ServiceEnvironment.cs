using Npgsql;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>
/// The real Redis, RabbitMQ and PostgreSQL that <c>./build.sh test</c> started, read from the
/// environment it exports (missing ones are handled by <see cref="RealServices.Require"/>).
/// </summary>
public static class ServiceEnvironment
{
    public static string RedisHost => Get("RTMC_REDIS_HOST", "127.0.0.1");

    public static int RedisPort => int.Parse(Get("RTMC_REDIS_PORT", "6379"), System.Globalization.CultureInfo.InvariantCulture);

    public static string RabbitHost => Get("RTMC_RABBITMQ_HOST", "127.0.0.1");

    public static int RabbitPort => int.Parse(Get("RTMC_RABBITMQ_PORT", "5672"), System.Globalization.CultureInfo.InvariantCulture);

    public static string RabbitUser => Get("RTMC_RABBITMQ_USER", "guest");

    public static string RabbitPassword => Get("RTMC_RABBITMQ_PASSWORD", "guest");

    public static void RequireServices() => RealServices.Require("RTMC_REDIS_PORT", "RTMC_RABBITMQ_PORT", "RTMC_POSTGRES_PORT");

    /// <summary>Connection string to <paramref name="database"/> as the services' superuser.</summary>
    public static string PostgresConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Get("RTMC_POSTGRES_HOST", "127.0.0.1"),
        Port = int.Parse(Get("RTMC_POSTGRES_PORT", "5432"), System.Globalization.CultureInfo.InvariantCulture),
        Username = Get("RTMC_POSTGRES_USER", "rtmc"),
        Password = Environment.GetEnvironmentVariable("RTMC_POSTGRES_PASSWORD"),
        Database = database,
        Pooling = false,
    }.ConnectionString;

    public static string AdminDatabase => Get("RTMC_POSTGRES_DATABASE", "rtmc");

    private static string Get(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
