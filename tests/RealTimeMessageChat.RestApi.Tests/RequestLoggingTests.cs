using System.Net;
using System.Net.Http.Json;
using RealTimeMessageChat.TestUtilities;
using Xunit;

namespace RealTimeMessageChat.RestApi.Tests;

public sealed class RequestLoggingTests : IDisposable
{
    private readonly string _logs = Directory.CreateTempSubdirectory("rtmc-restapi-logs-").FullName;

    public void Dispose() => Directory.Delete(_logs, recursive: true);

    [Fact]
    public async Task Requests_AreLoggedOneLineEach_WithoutTokensOrPasswords()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await using var factory = new RestApiFactory(new Dictionary<string, string?>
        {
            ["log_root_path"] = _logs,
            ["log_to_console"] = "false",

            // Accepted publishes are logged at Debug (the hot path); see the test below.
            ["log_level"] = "Debug",
        });
        using HttpClient client = factory.CreateClient();
        string token = await factory.RegisterAndLoginAsync(client, "logged_user", cts.Token);
        using HttpClient publisher = factory.CreateClient(token);
        HttpResponseMessage published = await publisher.PostAsJsonAsync("/publishMessage?probe=1", new { content = "a body that must not be logged" }, cts.Token);
        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);

        string text = await ReadLogUntilAsync("HTTP POST /publishMessage responded 202", cts.Token);

        Assert.Contains("HTTP POST /api/v1/auth/login responded 200", text, StringComparison.Ordinal);
        Assert.Contains("HTTP POST /api/v1/users responded 201", text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], text, StringComparison.Ordinal);
        Assert.DoesNotContain("correct horse", text, StringComparison.Ordinal);
        Assert.DoesNotContain("a body that must not be logged", text, StringComparison.Ordinal);
        Assert.DoesNotContain("probe=1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AtInformation_AcceptedPublishesAreNotLogged_RefusalsAre()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await using var factory = new RestApiFactory(new Dictionary<string, string?>
        {
            ["log_root_path"] = _logs,
            ["log_to_console"] = "false",
            ["log_level"] = "Information",
        });
        using HttpClient client = factory.CreateClient();
        string token = await factory.RegisterAndLoginAsync(client, "quiet_user", cts.Token);
        using HttpClient publisher = factory.CreateClient(token);
        HttpResponseMessage accepted = await publisher.PostAsJsonAsync("/publishMessage", new { content = "fine" }, cts.Token);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        HttpResponseMessage refused = await publisher.PostAsJsonAsync("/publishMessage", new { content = "" }, cts.Token);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        // The refusal came after the accepted publish: once its line is there, the other would be too.
        string text = await ReadLogUntilAsync("HTTP POST /publishMessage responded 400", cts.Token);

        Assert.DoesNotContain("HTTP POST /publishMessage responded 202", text, StringComparison.Ordinal);
    }

    // The file sink sits behind the async sink and flushes every second: the line arrives a moment
    // after the response.
    private async Task<string> ReadLogUntilAsync(string expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            foreach (string file in Directory.GetFiles(_logs, "RestApi-*.log"))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                string text = await new StreamReader(stream).ReadToEndAsync(cancellationToken);
                if (text.Contains(expected, StringComparison.Ordinal))
                {
                    return text;
                }
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
