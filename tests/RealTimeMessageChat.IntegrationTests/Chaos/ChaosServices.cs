using System.Diagnostics;

namespace RealTimeMessageChat.IntegrationTests.Chaos;

/// <summary>
/// The <c>chaos</c> instance of <c>build.sh</c>: a Redis, RabbitMQ and PostgreSQL of the fault run's
/// own, which it may kill. The suite's shared servers (the <c>test</c> instance) serve the other
/// test assemblies running at the same time and are never touched. Durable, with Redis' append-only
/// file fsynced on every write (<c>appendfsync always</c>): what a server acknowledged must survive
/// its kill -9, or a loss would be the setting's and not ours.
/// </summary>
public sealed class ChaosServices : IAsyncDisposable
{
    public const string Instance = "chaos";

    private readonly string _stateDirectory = Path.Combine(RepositoryPaths.Root, ".run", Instance);

    private ChaosServices(LoopbackServices endpoints) => Endpoints = endpoints;

    public LoopbackServices Endpoints { get; }

    /// <summary>Deletes what an earlier run left, starts the three servers and reads their endpoints.</summary>
    public static async Task<ChaosServices> StartAsync(CancellationToken cancellationToken)
    {
        await BuildShAsync("reset", cancellationToken);
        await BuildShAsync("start", cancellationToken);
        var environment = ReadServicesEnv(Path.Combine(RepositoryPaths.Root, ".run", Instance, "services.env"));
        var endpoints = new LoopbackServices(name => environment.GetValueOrDefault(name));
        await endpoints.StartAsync(cancellationToken);
        return new ChaosServices(endpoints);
    }

    /// <summary>
    /// kill -9 of the server and every process under it, at once, as a crash of the server takes
    /// them all: its process group (each server is started in a session of its own) and its
    /// descendants by parent (PostgreSQL's children each call setsid, so they are not in its group).
    /// </summary>
    public void Kill(ChaosServer server)
    {
        int pid = ReadPid(server);
        List<int> tree = Descendants(pid);
        if (Posix.kill(-pid, Posix.SigKill) != 0 && Posix.kill(pid, Posix.SigKill) != 0)
        {
            throw new InvalidOperationException($"kill -9 of {server} (pid {pid}) failed");
        }

        foreach (int child in tree)
        {
            Posix.kill(child, Posix.SigKill);
        }
    }

    private static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                // Fields after the command name, which is in parentheses and may hold spaces: state, ppid, ...
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                int parent = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                if (!children.TryGetValue(parent, out List<int>? list))
                {
                    children[parent] = list = [];
                }

                list.Add(pid);
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        var found = new List<int>();
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out int next))
        {
            foreach (int child in children.GetValueOrDefault(next) ?? [])
            {
                found.Add(child);
                pending.Push(child);
            }
        }

        return found;
    }

    /// <summary>Starts whatever of the three is not running (the script skips those that are) and waits until they answer.</summary>
    public Task RestartAsync(CancellationToken cancellationToken) => BuildShAsync("start", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await BuildShAsync("stop", cts.Token);
    }

    private int ReadPid(ChaosServer server)
    {
        string file = server switch
        {
            ChaosServer.Redis => Path.Combine(_stateDirectory, "redis", "redis.pid"),
            ChaosServer.RabbitMq => Path.Combine(_stateDirectory, "rabbitmq", "rabbitmq-server.pid"),
            ChaosServer.Postgres => Path.Combine(_stateDirectory, "postgres", "postgres.pid"),
            _ => throw new ArgumentOutOfRangeException(nameof(server)),
        };
        return int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, string> ReadServicesEnv(string path)
    {
        // Lines of `export NAME=value`; our values are plain (ports, hex secrets, paths without spaces).
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.StartsWith("export ", StringComparison.Ordinal) && line.IndexOf('=', StringComparison.Ordinal) is int eq and > 7)
            {
                values[line[7..eq]] = line[(eq + 1)..].Trim('\'');
            }
        }

        return values;
    }

    private static async Task BuildShAsync(string action, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "build.sh"), $"services {action} --instance {Instance}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        info.Environment["RTMC_REDIS_APPENDFSYNC"] = "always";
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"./build.sh services {action} --instance {Instance} exited {process.ExitCode}:{Environment.NewLine}{await stdout}{await stderr}");
        }
    }
}

public enum ChaosServer
{
    Redis,
    RabbitMq,
    Postgres,
}
