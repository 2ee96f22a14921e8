namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>
/// The rule that picks the services, a pure function of the environment and of whether a Docker engine
/// answers (probed only when the answer matters):
/// <list type="number">
/// <item><c>RTMC_TEST_SERVICES=loopback</c> or <c>containers</c> decides; any other non-empty value except <c>auto</c> is an error.</item>
/// <item><c>RTMC_SERVICES=1</c> (<c>./build.sh test</c>, CI): loopback, the servers that command started.</item>
/// <item>A Docker engine answers: containers.</item>
/// <item>Otherwise loopback, which under a bare <c>dotnet test</c> skips, naming <c>./build.sh test</c>.</item>
/// </list>
/// </summary>
public static class TestServicesSelection
{
    public const string Variable = "RTMC_TEST_SERVICES";

    public static async Task<TestServicesKind> SelectAsync(
        Func<string, string?> environment,
        Func<CancellationToken, Task<bool>> dockerAnswersAsync,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(dockerAnswersAsync);
        string? choice = environment(Variable)?.Trim();
        if (string.Equals(choice, "loopback", StringComparison.OrdinalIgnoreCase))
        {
            return TestServicesKind.Loopback;
        }

        if (string.Equals(choice, "containers", StringComparison.OrdinalIgnoreCase))
        {
            return TestServicesKind.Containers;
        }

        if (!string.IsNullOrEmpty(choice) && !string.Equals(choice, "auto", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{Variable}='{choice}': expected loopback, containers or auto.", nameof(environment));
        }

        if (environment(LoopbackServices.StartedVariable) == "1")
        {
            return TestServicesKind.Loopback;
        }

        return await dockerAnswersAsync(cancellationToken) ? TestServicesKind.Containers : TestServicesKind.Loopback;
    }
}
