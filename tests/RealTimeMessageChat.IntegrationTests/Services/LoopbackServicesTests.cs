namespace RealTimeMessageChat.IntegrationTests.Services;

public sealed class LoopbackServicesTests
{
    private static readonly Dictionary<string, string> BuildShTest = new()
    {
        ["RTMC_REDIS_PORT"] = "6391",
        ["RTMC_RABBITMQ_PORT"] = "5691",
        ["RTMC_RABBITMQ_USER"] = "rtmc",
        ["RTMC_RABBITMQ_PASSWORD"] = "rabbit-pw",
        ["RTMC_POSTGRES_PORT"] = "5441",
        ["RTMC_POSTGRES_PASSWORD"] = "pg-pw",
    };

    [Fact]
    public async Task StartAsync_VariablesOfBuildShTest_GivesTheirEndpoints()
    {
        await using var services = new LoopbackServices(BuildShTest.GetValueOrDefault);

        await services.StartAsync(CancellationToken.None);

        Assert.Equal(new RedisEndpoint("127.0.0.1", 6391, string.Empty), services.Redis);
        Assert.Equal(new RabbitMqEndpoint("127.0.0.1", 5691, "rtmc", "rabbit-pw"), services.RabbitMq);
        Assert.Equal(new PostgresEndpoint("127.0.0.1", 5441, "rtmc", "pg-pw", "rtmc"), services.Postgres);
    }

    [Theory]
    [InlineData("RTMC_REDIS_PORT")]
    [InlineData("RTMC_RABBITMQ_PORT")]
    [InlineData("RTMC_POSTGRES_PORT")]
    public async Task StartAsync_PortMissing_UnavailableNamingTheVariable(string missing)
    {
        var environment = new Dictionary<string, string>(BuildShTest);
        environment.Remove(missing);
        await using var services = new LoopbackServices(environment.GetValueOrDefault);

        var ex = await Assert.ThrowsAsync<TestServicesUnavailableException>(() => services.StartAsync(CancellationToken.None));

        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public async Task StartAsync_PortNotANumber_UnavailableNamingTheVariable()
    {
        var environment = new Dictionary<string, string>(BuildShTest) { ["RTMC_POSTGRES_PORT"] = "five" };
        await using var services = new LoopbackServices(environment.GetValueOrDefault);

        var ex = await Assert.ThrowsAsync<TestServicesUnavailableException>(() => services.StartAsync(CancellationToken.None));

        Assert.Contains("RTMC_POSTGRES_PORT='five'", ex.Message);
    }
}
