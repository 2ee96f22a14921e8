using System.Globalization;

namespace RealTimeMessageChat.Bench.Measure;

/// <summary>
/// CPU seconds per part of the system over one window (our three apps, RabbitMQ, this bench's Redis,
/// PostgreSQL, the load generator), found by command line in <c>/proc</c>: divided by the messages
/// of the window, it says where each message's CPU goes, a figure a noisy host disturbs far less
/// than a rate does. Also the window's steal time (CPU the hypervisor gave to other guests).
/// </summary>
internal sealed class RoleCpuMeter
{
    private readonly string _redisPort;
    private readonly Dictionary<int, (string Role, double Cpu)> _start;
    private readonly double _stealStart = StealSeconds();

    public RoleCpuMeter(int redisPort)
    {
        _redisPort = redisPort.ToString(CultureInfo.InvariantCulture);
        _start = Snapshot();
    }

    public static readonly string[] Roles = ["restapi", "consumer", "mainserver", "rabbitmq", "redis", "postgres", "bench"];

    /// <summary>CPU seconds per role since the start (a process that started meanwhile counts from zero).</summary>
    public Dictionary<string, double> Stop(out double stealSeconds)
    {
        var totals = Roles.ToDictionary(role => role, _ => 0.0);
        foreach (var (pid, (role, cpu)) in Snapshot())
        {
            totals[role] += cpu - (_start.TryGetValue(pid, out var before) && before.Role == role ? before.Cpu : 0);
        }

        stealSeconds = Math.Max(0, StealSeconds() - _stealStart);
        return totals;
    }

    private Dictionary<int, (string Role, double Cpu)> Snapshot()
    {
        var result = new Dictionary<int, (string, double)>();
        int own = Environment.ProcessId;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            string? role = pid == own ? "bench" : RoleOf(ReadCommandLine(pid));
            double cpu = role is null ? -1 : ProcStats.CpuSeconds(pid);
            if (role is not null && cpu >= 0)
            {
                result[pid] = (role, cpu);
            }
        }

        return result;
    }

    private string? RoleOf(string commandLine) =>
        commandLine.Contains("RealTimeMessageChat.RestApi.dll", StringComparison.Ordinal) ? "restapi"
        : commandLine.Contains("RealTimeMessageChat.MainServerConsumer.dll", StringComparison.Ordinal) ? "consumer"
        : commandLine.Contains("RealTimeMessageChat.MainServer.dll", StringComparison.Ordinal) ? "mainserver"
        : commandLine.Contains("beam.smp", StringComparison.Ordinal) ? "rabbitmq"
        : commandLine.StartsWith("redis-server", StringComparison.Ordinal) && commandLine.Contains(":" + _redisPort, StringComparison.Ordinal) ? "redis"
        : commandLine.StartsWith("postgres", StringComparison.Ordinal) || commandLine.Contains("/postgres ", StringComparison.Ordinal) ? "postgres"
        : null;

    private static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static double StealSeconds()
    {
        try
        {
            string[] fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 8 ? long.Parse(fields[8], CultureInfo.InvariantCulture) / 100.0 : 0;
        }
        catch (Exception ex) when (ex is IOException or FormatException or InvalidOperationException)
        {
            return 0;
        }
    }
}
