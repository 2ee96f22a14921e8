using System.Globalization;

namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>
/// The servers <c>./build.sh test</c> starts on 127.0.0.1, read from the <c>RTMC_*</c> variables it
/// exports. Nothing to start or stop here: the script owns their lifetime.
/// </summary>
public sealed class LoopbackServices(Func<string, string?> environment) : ITestServices
{
    /// <summary>Set to <c>1</c> by <c>./build.sh test</c>: the services are expected, and their absence is a failure.</summary>
    public const string StartedVariable = "RTMC_SERVICES";

    private static readonly string[] Required = ["RTMC_REDIS_PORT", "RTMC_RABBITMQ_PORT", "RTMC_POSTGRES_PORT"];

    private RedisEndpoint? _redis;
    private RabbitMqEndpoint? _rabbitMq;
    private PostgresEndpoint? _postgres;

    public LoopbackServices()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    public string Name => "loopback servers of ./build.sh test";

    public RedisEndpoint Redis => _redis ?? throw NotStarted();

    public RabbitMqEndpoint RabbitMq => _rabbitMq ?? throw NotStarted();

    public PostgresEndpoint Postgres => _postgres ?? throw NotStarted();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Required.FirstOrDefault(name => string.IsNullOrEmpty(environment(name))) is { } missing)
        {
            throw new TestServicesUnavailableException($"{missing} is not set");
        }

        _redis = new RedisEndpoint(Get("RTMC_REDIS_HOST", "127.0.0.1"), Port("RTMC_REDIS_PORT"), Get("RTMC_REDIS_PASSWORD", string.Empty));
        _rabbitMq = new RabbitMqEndpoint(
            Get("RTMC_RABBITMQ_HOST", "127.0.0.1"), Port("RTMC_RABBITMQ_PORT"), Get("RTMC_RABBITMQ_USER", "guest"), Get("RTMC_RABBITMQ_PASSWORD", "guest"));
        _postgres = new PostgresEndpoint(
            Get("RTMC_POSTGRES_HOST", "127.0.0.1"),
            Port("RTMC_POSTGRES_PORT"),
            Get("RTMC_POSTGRES_USER", "rtmc"),
            Get("RTMC_POSTGRES_PASSWORD", string.Empty),
            Get("RTMC_POSTGRES_DATABASE", "rtmc"));
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string Get(string name, string fallback) => environment(name) is { Length: > 0 } value ? value : fallback;

    private int Port(string name) => int.TryParse(environment(name), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
        ? port
        : throw new TestServicesUnavailableException($"{name}='{environment(name)}' is not a port number");

    private static InvalidOperationException NotStarted() => new("LoopbackServices.StartAsync has not succeeded.");
}
