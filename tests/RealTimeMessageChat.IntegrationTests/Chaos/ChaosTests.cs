using RealTimeMessageChat.IntegrationTests.Chaos;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// The fault run: in <c>./build.sh test</c> its short form (every fault once), under
/// <c>./build.sh chaos</c> the full one (<see cref="ChaosProfile.Variable"/>=full). The report goes to
/// the test output and to <c>chaos-results/</c>. It shares the end-to-end collection so that it does
/// not run beside the other end-to-end tests on two cores; its servers are its own.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryFaultInTurn_UnderLoad_NothingAcceptedIsLostDuplicatedOrReordered()
    {
        ChaosProfile profile = ChaosProfile.FromEnvironment();
        using var cts = new CancellationTokenSource(profile == ChaosProfile.Full ? TimeSpan.FromMinutes(30) : TimeSpan.FromMinutes(10));
        ChaosReport report = await ChaosRun.RunAsync(profile, line => output.WriteLine(line), cts.Token);

        string folder = Path.Combine(RepositoryPaths.Root, "chaos-results");
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{profile.Name}.txt");
        await File.WriteAllTextAsync(file, report.Text + Environment.NewLine, CancellationToken.None);
        output.WriteLine(report.Text);

        Assert.True(report.Verdict.Accepted > 0, "no message was accepted: the run measured nothing" + Environment.NewLine + report.Text);
        Assert.True(report.Passed, report.Text);
    }
}
