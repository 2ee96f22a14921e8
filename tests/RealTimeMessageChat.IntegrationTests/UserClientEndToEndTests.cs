using System.Text.RegularExpressions;

namespace RealTimeMessageChat.IntegrationTests;

[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed partial class UserClientEndToEndTests(TestServicesFixture services)
{
    [Fact]
    public async Task TwoUserClientConsoles_TypedLine_IsPrintedByBothIncludingTheSender()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct);
        using var api = new ChatApi(system.RestApiUrl);
        string password = "pw-" + Guid.NewGuid().ToString("N");
        string alice = "alice_" + system.Id, bob = "bob_" + system.Id;
        await api.RegisterAndLoginAsync(alice, password, ct);
        await api.RegisterAndLoginAsync(bob, password, ct);
        var overrides = new Dictionary<string, string>
        {
            ["RTMC_SERVER_PORT"] = $"{system.MainServers[0].TcpPort}",
            ["RTMC_REST_API_URL"] = system.RestApiUrl,
            ["RTMC_PASSWORD"] = password,
        };
        AppProcess aliceConsole = system.Launch("UserClient", overrides, $"--user {alice}", redirectInput: true);
        AppProcess bobConsole = system.Launch("UserClient", overrides, $"--user {bob}", redirectInput: true);

        // Stdout carries messages only, so "connected" is seen by a probe both consoles print.
        await WaitUntilBothPrintAsync(system, aliceConsole, bobConsole, alice, ct);
        string expectedAlice = $"{alice}: hello from alice";
        await aliceConsole.WriteLineAsync("hello from alice");
        string aliceLine = await PipelineEndToEndTests.WithTailsResult(system, ReadMatchingLineAsync(aliceConsole, expectedAlice, ct));
        string bobLine = await PipelineEndToEndTests.WithTailsResult(system, ReadMatchingLineAsync(bobConsole, expectedAlice, ct));

        Assert.Matches(BroadcastLine(), aliceLine);
        Assert.Equal(aliceLine, bobLine);
        Assert.Equal(0, await aliceConsole.StopAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(0, await bobConsole.StopAsync(TimeSpan.FromSeconds(15)));
    }

    private static async Task WaitUntilBothPrintAsync(ChatSystem system, AppProcess first, AppProcess second, string sender, CancellationToken ct)
    {
        // A console connected after a probe was broadcast never sees that probe (no history without
        // last_seq), so keep probing until one probe reaches both.
        for (int probe = 0; ; probe++)
        {
            await first.WriteLineAsync($"probe {probe}");
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                await Task.WhenAll(
                    ReadMatchingLineAsync(first, $"{sender}: probe {probe}", wait.Token),
                    ReadMatchingLineAsync(second, $"{sender}: probe {probe}", wait.Token));
                return;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("the consoles never both printed a probe" + Environment.NewLine + system.Tails());
            }
        }
    }

    private static async Task<string> ReadMatchingLineAsync(AppProcess process, string suffix, CancellationToken ct)
    {
        await foreach (string line in process.StdoutLines.ReadAllAsync(ct))
        {
            if (line.EndsWith(suffix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"{process.Name} ended without printing '{suffix}'.{Environment.NewLine}{process.Tail()}");
    }

    [GeneratedRegex(@"^\[\d+\] [A-Za-z0-9_-]+: .+$")]
    private static partial Regex BroadcastLine();
}
