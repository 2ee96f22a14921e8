using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RealTimeMessageChat.IntegrationTests.Services;

/// <summary>The probe against fake engines on loopback and on a Unix socket; no Docker engine involved.</summary>
public sealed class DockerEngineProbeTests
{
    [Fact]
    public async Task AnswersAsync_NoSocketAtPath_False()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        string path = Path.Combine(Path.GetTempPath(), $"rtmc-no-docker-{Guid.NewGuid():N}.sock");

        Assert.False(await DockerEngineProbe.AnswersAsync("unix://" + path, cts.Token));
    }

    [Fact]
    public async Task AnswersAsync_UnixSocketAnsweringPing_True()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        string path = Path.Combine(Path.GetTempPath(), $"rtmc-fake-docker-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        try
        {
            Task<string> request = AnswerOnceAsync(listener, "200 OK", cts.Token);

            Assert.True(await DockerEngineProbe.AnswersAsync("unix://" + path, cts.Token));
            Assert.StartsWith("GET /_ping HTTP/1.1", await request);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("200 OK", true)]
    [InlineData("500 Internal Server Error", false)]
    public async Task AnswersAsync_TcpEngine_TrueOnlyForSuccess(string status, bool expected)
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Task<string> request = AnswerOnceAsync(listener, status, cts.Token);

        Assert.Equal(expected, await DockerEngineProbe.AnswersAsync($"tcp://127.0.0.1:{port}", cts.Token));
        Assert.StartsWith("GET /_ping HTTP/1.1", await request);
    }

    [Fact]
    public async Task AnswersAsync_TcpNothingListening_False()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        Assert.False(await DockerEngineProbe.AnswersAsync($"tcp://127.0.0.1:{port}", cts.Token));
    }

    [Fact]
    public async Task AnswersAsync_SchemeItCannotProbe_TrustsDockerHost()
    {
        Assert.True(await DockerEngineProbe.AnswersAsync("ssh://user@engine.invalid", CancellationToken.None));
    }

    /// <summary>Accepts one connection, reads the request head and answers with <paramref name="status"/>; returns the request.</summary>
    private static async Task<string> AnswerOnceAsync(Socket listener, string status, CancellationToken cancellationToken)
    {
        using Socket connection = await listener.AcceptAsync(cancellationToken);
        var request = new StringBuilder();
        var buffer = new byte[1024];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await connection.ReceiveAsync(buffer, cancellationToken);
            if (read == 0)
            {
                break;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await connection.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"), cancellationToken);
        return request.ToString();
    }
}
