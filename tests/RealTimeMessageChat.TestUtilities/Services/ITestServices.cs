namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>
/// The real Redis, RabbitMQ and PostgreSQL the integration tests run against, whoever provides them:
/// the servers <c>./build.sh test</c> starts on loopback (<see cref="LoopbackServices"/>) or throwaway
/// containers (<see cref="ContainerServices"/>). Tests get one through <see cref="TestServicesFixture"/>.
/// </summary>
public interface ITestServices : IAsyncDisposable
{
    /// <summary>For messages: where the services come from.</summary>
    string Name { get; }

    RedisEndpoint Redis { get; }

    RabbitMqEndpoint RabbitMq { get; }

    /// <summary>A superuser that may create databases; <see cref="PostgresEndpoint.Database"/> is one to connect to first.</summary>
    PostgresEndpoint Postgres { get; }

    /// <summary>Makes the services ready; throws <see cref="TestServicesUnavailableException"/> when they are not there to use.</summary>
    Task StartAsync(CancellationToken cancellationToken);
}
