using Xunit;

namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>
/// The xUnit collection fixture that gives tests their <see cref="ITestServices"/>: chosen by
/// <see cref="TestServicesSelection"/>, started once per collection, disposed after it. Tests call
/// <see cref="Require"/>, which keeps the project's rule: under <c>./build.sh test</c>
/// (<c>RTMC_SERVICES=1</c>) missing services are a failure; a bare <c>dotnet test</c> skips, naming the
/// command to run.
/// </summary>
public sealed class TestServicesFixture : IAsyncLifetime
{
    // Long enough for a first image pull on the container path; the loopback path returns at once.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private ITestServices? _services;
    private string? _unavailable;

    public async ValueTask InitializeAsync()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(StartTimeout);
        TestServicesKind kind = await TestServicesSelection.SelectAsync(Environment.GetEnvironmentVariable, DockerEngineProbe.AnswersAsync, cts.Token);
        _services = kind == TestServicesKind.Containers ? new ContainerServices() : new LoopbackServices();
        try
        {
            await _services.StartAsync(cts.Token);
        }
        catch (TestServicesUnavailableException ex)
        {
            _unavailable = $"{_services.Name}: {ex.Message}";
        }
    }

    /// <summary>The started services; fails or skips the calling test when they are not there.</summary>
    public ITestServices Require()
    {
        if (_unavailable is not null)
        {
            if (Environment.GetEnvironmentVariable(LoopbackServices.StartedVariable) == "1")
            {
                Assert.Fail($"{LoopbackServices.StartedVariable}=1 but the services were not started ({_unavailable}).");
            }

            Assert.Skip($"Needs real Redis, RabbitMQ and PostgreSQL ({_unavailable}): run ./build.sh test");
        }

        return _services ?? throw new InvalidOperationException("TestServicesFixture.InitializeAsync has not run.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
