using System.Security.Cryptography;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;
using Testcontainers.Redis;

namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>
/// Throwaway Redis, RabbitMQ and PostgreSQL containers (Testcontainers), for machines with a Docker
/// engine. The images are the versions <c>./build.sh</c> installs, so both paths test the same servers.
/// Not run on our own machines, which have no Docker engine.
/// </summary>
public sealed class ContainerServices : ITestServices
{
    public const string RedisImage = "redis:7.0";
    public const string RabbitMqImage = "rabbitmq:3.10";
    public const string PostgresImage = "postgres:15";

    private const string User = "rtmc";
    private const string Database = "rtmc";

    // Random per run: the containers publish their ports on the Docker host.
    private readonly string _rabbitMqPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _postgresPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly RedisContainer _redis;
    private readonly RabbitMqContainer _rabbitMq;
    private readonly PostgreSqlContainer _postgres;

    public ContainerServices()
    {
        _redis = new RedisBuilder(RedisImage).Build();
        _rabbitMq = new RabbitMqBuilder(RabbitMqImage).WithUsername(User).WithPassword(_rabbitMqPassword).Build();
        _postgres = new PostgreSqlBuilder(PostgresImage).WithUsername(User).WithPassword(_postgresPassword).WithDatabase(Database).Build();
    }

    public string Name => "Testcontainers";

    public RedisEndpoint Redis => new(_redis.Hostname, _redis.GetMappedPublicPort(RedisBuilder.RedisPort), string.Empty);

    public RabbitMqEndpoint RabbitMq => new(_rabbitMq.Hostname, _rabbitMq.GetMappedPublicPort(RabbitMqBuilder.RabbitMqPort), User, _rabbitMqPassword);

    public PostgresEndpoint Postgres => new(_postgres.Hostname, _postgres.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort), User, _postgresPassword, Database);

    /// <summary>Starts the three at once; each is ready when its module's wait strategy says so.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_redis.StartAsync(cancellationToken), _rabbitMq.StartAsync(cancellationToken), _postgres.StartAsync(cancellationToken));

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _rabbitMq.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}
