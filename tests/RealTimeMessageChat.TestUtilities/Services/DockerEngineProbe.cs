using System.Net.Sockets;

namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>
/// Whether a Docker engine answers <c>GET /_ping</c> at <c>DOCKER_HOST</c>, or at
/// <c>/var/run/docker.sock</c> when that is not set. The <c>docker</c> client alone is not enough: our
/// machines have one with no engine behind it.
/// </summary>
public static class DockerEngineProbe
{
    public const string DefaultSocket = "/var/run/docker.sock";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static Task<bool> AnswersAsync(CancellationToken cancellationToken) =>
        AnswersAsync(Environment.GetEnvironmentVariable("DOCKER_HOST"), cancellationToken);

    /// <summary><paramref name="dockerHost"/>: <c>unix:///path</c>, <c>tcp://host:port</c> (plain HTTP), or null for the default socket.</summary>
    public static async Task<bool> AnswersAsync(string? dockerHost, CancellationToken cancellationToken)
    {
        var endpoint = new Uri(string.IsNullOrEmpty(dockerHost) ? "unix://" + DefaultSocket : dockerHost);
        using var handler = new SocketsHttpHandler();
        Uri ping;
        switch (endpoint.Scheme)
        {
            case "unix":
                handler.ConnectCallback = (_, token) => ConnectUnixAsync(endpoint.AbsolutePath, token);
                ping = new Uri("http://docker/_ping");
                break;
            case "tcp" or "http":
                ping = new UriBuilder(Uri.UriSchemeHttp, endpoint.Host, endpoint.Port, "/_ping").Uri;
                break;
            default:
                // npipe, ssh, TLS: not probed from here. DOCKER_HOST names an engine; Testcontainers will say if it is not there.
                return true;
        }

        using var client = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using HttpResponseMessage response = await client.GetAsync(ping, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
