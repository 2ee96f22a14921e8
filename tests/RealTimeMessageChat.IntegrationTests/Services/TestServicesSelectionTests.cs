namespace RealTimeMessageChat.IntegrationTests.Services;

/// <summary>The rule that picks loopback servers or containers; no services needed, so not Category=Integration.</summary>
public sealed class TestServicesSelectionTests
{
    [Theory]
    [InlineData("loopback", null, true, TestServicesKind.Loopback)]
    [InlineData("LOOPBACK", "1", true, TestServicesKind.Loopback)]
    [InlineData("containers", null, false, TestServicesKind.Containers)]
    [InlineData("containers", "1", false, TestServicesKind.Containers)]
    [InlineData(" Containers ", null, false, TestServicesKind.Containers)]
    public async Task SelectAsync_ForcedByVariable_IgnoresEverythingElse(string forced, string? servicesStarted, bool dockerAnswers, TestServicesKind expected)
    {
        var probe = new Probe(dockerAnswers);

        TestServicesKind kind = await TestServicesSelection.SelectAsync(
            Environment((TestServicesSelection.Variable, forced), (LoopbackServices.StartedVariable, servicesStarted)), probe.AnswersAsync, CancellationToken.None);

        Assert.Equal(expected, kind);
        Assert.Equal(0, probe.Calls);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(null, false)]
    [InlineData("auto", true)]
    [InlineData("", true)]
    public async Task SelectAsync_BuildShTestStartedTheServers_Loopback(string? choice, bool dockerAnswers)
    {
        var probe = new Probe(dockerAnswers);

        TestServicesKind kind = await TestServicesSelection.SelectAsync(
            Environment((TestServicesSelection.Variable, choice), (LoopbackServices.StartedVariable, "1")), probe.AnswersAsync, CancellationToken.None);

        Assert.Equal(TestServicesKind.Loopback, kind);
        Assert.Equal(0, probe.Calls);
    }

    [Theory]
    [InlineData(null, null, true, TestServicesKind.Containers)]
    [InlineData(null, null, false, TestServicesKind.Loopback)]
    [InlineData("auto", null, true, TestServicesKind.Containers)]
    [InlineData("AUTO", "0", false, TestServicesKind.Loopback)]
    [InlineData(null, "", true, TestServicesKind.Containers)]
    public async Task SelectAsync_NothingForcedNoServers_ContainersOnlyWhenDockerAnswers(string? choice, string? servicesStarted, bool dockerAnswers, TestServicesKind expected)
    {
        var probe = new Probe(dockerAnswers);

        TestServicesKind kind = await TestServicesSelection.SelectAsync(
            Environment((TestServicesSelection.Variable, choice), (LoopbackServices.StartedVariable, servicesStarted)), probe.AnswersAsync, CancellationToken.None);

        Assert.Equal(expected, kind);
        Assert.Equal(1, probe.Calls);
    }

    [Fact]
    public async Task SelectAsync_UnknownValue_FailsNamingTheVariable()
    {
        var probe = new Probe(true);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => TestServicesSelection.SelectAsync(
            Environment((TestServicesSelection.Variable, "docker")), probe.AnswersAsync, CancellationToken.None));

        Assert.Contains("RTMC_TEST_SERVICES='docker'", ex.Message);
        Assert.Equal(0, probe.Calls);
    }

    private static Func<string, string?> Environment(params (string Name, string? Value)[] variables)
    {
        var values = variables.Where(v => v.Value is not null).ToDictionary(v => v.Name, v => v.Value);
        return name => values.GetValueOrDefault(name);
    }

    private sealed class Probe(bool answers)
    {
        public int Calls { get; private set; }

        public Task<bool> AnswersAsync(CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(answers);
        }
    }
}
