using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>
/// A redis-server of the test's own on a free loopback port, so a test may kill, restart or pause
/// it without touching the shared test instance. Append-only with <c>appendfsync always</c>, so a
/// write Redis acknowledged survives a kill -9 (as the chaos runs configure it).
/// </summary>
internal sealed class PrivateRedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private Process? _process;

    private PrivateRedisServer(int port, string directory)
    {
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    public static async Task<PrivateRedisServer> StartAsync(CancellationToken cancellationToken)
    {
        string directory = Path.Combine(Path.GetTempPath(), "rtmc-private-redis-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var server = new PrivateRedisServer(FreePort(), directory);
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    /// <summary>SIGKILL, as a crash: replies in flight are lost, fsynced writes are not.</summary>
    public void Kill()
    {
        _process?.Kill();
        _process?.WaitForExit();
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same port and data; returns when it answers PING.</summary>
    public Task RestartAsync(CancellationToken cancellationToken) => StartProcessAsync(cancellationToken);

    /// <summary>Sends one command in the inline protocol on a connection of its own; returns the first reply line.</summary>
    public async Task<string> CommandAsync(string command, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync(cancellationToken) ?? string.Empty;
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.Yield();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        foreach (string argument in (string[])[
            "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dir", _directory, "--logfile", Path.Combine(_directory, "redis.log"), "--daemonize", "no",
            "--save", string.Empty, "--appendonly", "yes", "--appendfsync", "always"])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await CommandAsync("PING", cancellationToken) == "+PONG")
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }
            catch (IOException)
            {
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}; see {_directory}/redis.log");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
