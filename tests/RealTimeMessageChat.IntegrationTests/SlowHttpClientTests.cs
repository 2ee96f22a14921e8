using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// A client that trickles its request body (slowloris on the body) against the real Kestrel: cut
/// off by the minimum data rate (240 bytes/s after a 5 s grace, Kestrel's default, which the API
/// keeps), while the other users' publishes keep being accepted and delivered.
/// </summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SlowHttpClientTests(TestServicesFixture services)
{
    [Fact]
    public async Task BodyTrickledAtOneBytePerSecond_IsCutOff_OthersKeepPublishing()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "slow_" + system.Id;
        string token = await api.RegisterAndLoginAsync(user, "pw-" + Guid.NewGuid().ToString("N"), ct);
        await using ChatClient client = await ChatClient.ConnectAsync(system.MainServers[0].TcpPort, user, token, ct);

        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await slow.ConnectAsync("127.0.0.1", system.RestApiPort, ct);
        string head = $"POST /publishMessage HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n{{\"content\":\"";
        await slow.SendAsync(Encoding.ASCII.GetBytes(head), ct);
        var clock = Stopwatch.StartNew();
        var trickle = TrickleUntilClosedAsync(slow, ct);

        // Meanwhile the API serves everyone else.
        for (int i = 0; i < 5; i++)
        {
            await api.PublishAcceptedAsync(token, $"while one client trickles {i}", ct);
        }

        await PipelineEndToEndTests.WithTails(system, client.ReceiveUntilAsync(5, ct));
        string answer = await trickle;
        double seconds = clock.Elapsed.TotalSeconds;

        // Cut off after the grace period, not left to hold its connection for the 2,000 s it asked for.
        Assert.InRange(seconds, 4, 30);
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), $"answered: {answer}");
        Assert.Equal(5, client.Received.Count);
    }

    /// <summary>One byte a second until the server closes the connection; returns what it answered.</summary>
    private static async Task<string> TrickleUntilClosedAsync(Socket socket, CancellationToken ct)
    {
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (socket.Poll(0, SelectMode.SelectRead))
                {
                    int read = socket.Receive(buffer);
                    if (read == 0)
                    {
                        return answer.ToString();
                    }

                    answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    continue;
                }

                await socket.SendAsync("x"u8.ToArray(), ct);
                await Task.Delay(1000, ct);
            }
        }
        catch (SocketException)
        {
            return answer.ToString();
        }
    }
}
