using System.Diagnostics;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>
/// A <c>build.sh</c> instance of a test's own: a Redis, RabbitMQ and PostgreSQL that the test may
/// kill (<c>chaos</c>) or that run in another mode (<c>tls</c>), while the suite's shared servers
/// (the <c>test</c> instance) keep serving the other test assemblies running at the same time.
/// Started from scratch (reset) and stopped at the end.
/// </summary>
public sealed class InstanceServices : IAsyncDisposable
{
    private readonly string _instance;
    private readonly IReadOnlyDictionary<string, string> _scriptEnvironment;
    private readonly string _stateDirectory;

    private InstanceServices(string instance, IReadOnlyDictionary<string, string> scriptEnvironment, Dictionary<string, string> environment, LoopbackServices endpoints)
    {
        _instance = instance;
        _scriptEnvironment = scriptEnvironment;
        _stateDirectory = Path.Combine(RepositoryPaths.Root, ".run", instance);
        Environment = environment;
        Endpoints = endpoints;
    }

    public LoopbackServices Endpoints { get; }

    /// <summary>Everything the instance's services.env exports (ports, secrets, TLS settings).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The local CA of a TLS instance, else null.</summary>
    public string? TlsCaPath => Environment.GetValueOrDefault("RTMC_SSL_CA_PATH") is { Length: > 0 } path ? path : null;

    /// <summary>Deletes what an earlier run left, starts the three servers and reads their endpoints.</summary>
    /// <param name="instance">One of build.sh's instances (chaos, tls).</param>
    /// <param name="scriptEnvironment">Variables for build.sh itself (RTMC_REDIS_APPENDFSYNC).</param>
    /// <param name="cancellationToken">Ends the wait for the servers.</param>
    public static async Task<InstanceServices> StartAsync(string instance, IReadOnlyDictionary<string, string> scriptEnvironment, CancellationToken cancellationToken)
    {
        await BuildShAsync(instance, scriptEnvironment, "reset", cancellationToken);
        await BuildShAsync(instance, scriptEnvironment, "start", cancellationToken);
        var environment = ReadServicesEnv(Path.Combine(RepositoryPaths.Root, ".run", instance, "services.env"));
        var endpoints = new LoopbackServices(name => environment.GetValueOrDefault(name));
        await endpoints.StartAsync(cancellationToken);
        return new InstanceServices(instance, scriptEnvironment, environment, endpoints);
    }

    /// <summary>
    /// kill -9 of the server and every process under it, at once, as a crash of the server takes
    /// them all: its process group (each server is started in a session of its own) and its
    /// descendants by parent (PostgreSQL's children each call setsid, so they are not in its group).
    /// </summary>
    public void Kill(ServiceKind server)
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
    public Task RestartAsync(CancellationToken cancellationToken) => BuildShAsync(_instance, _scriptEnvironment, "start", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await BuildShAsync(_instance, _scriptEnvironment, "stop", cts.Token);
    }

    private int ReadPid(ServiceKind server)
    {
        string file = server switch
        {
            ServiceKind.Redis => Path.Combine(_stateDirectory, "redis", "redis.pid"),
            ServiceKind.RabbitMq => Path.Combine(_stateDirectory, "rabbitmq", "rabbitmq-server.pid"),
            ServiceKind.Postgres => Path.Combine(_stateDirectory, "postgres", "postgres.pid"),
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

    private static async Task BuildShAsync(string instance, IReadOnlyDictionary<string, string> scriptEnvironment, string action, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "build.sh"), $"services {action} --instance {instance}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var (key, value) in scriptEnvironment)
        {
            info.Environment[key] = value;
        }

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
            throw new InvalidOperationException($"./build.sh services {action} --instance {instance} exited {process.ExitCode}:{System.Environment.NewLine}{await stdout}{await stderr}");
        }
    }
}

/// <summary>The three servers of an instance.</summary>
public enum ServiceKind
{
    Redis,
    RabbitMq,
    Postgres,
}
