using System.Globalization;
using RealTimeMessageChat.Bench.Report;

namespace RealTimeMessageChat.Bench.Measure;

/// <summary>
/// CPU seconds per part of the system over one window (our three apps, RabbitMQ, this bench's Redis,
/// PostgreSQL, the load generator), found by command line in <c>/proc</c>: divided by the messages
/// of the window, it says where each message's CPU goes, a figure a noisy host disturbs far less
/// than a rate does. Also the window's steal time (CPU the hypervisor gave to other guests) and
/// the machine's idle share (near zero: the row is bound by the CPU, not by a wait).
/// </summary>
internal sealed class RoleCpuMeter
{
    private readonly string _redisPort;
    private readonly Dictionary<int, (string Role, double Cpu)> _start;
    private readonly MachineCpuTimes _machineStart = ProcStats.MachineTimes() ?? default;

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

        stealSeconds = Math.Max(0, (ProcStats.MachineTimes()?.Steal ?? 0) - _machineStart.Steal);
        return totals;
    }

    /// <summary>
    /// Stops the meter and writes each role's CPU per message (<c>cpu_us_per_msg_&lt;role&gt;</c>, the
    /// total and the steal) into <paramref name="result"/>, with a note; returns that note, or null
    /// when no message passed.
    /// </summary>
    public string? StopPerMessage(Measurement result, long messages)
    {
        Dictionary<string, double> roleCpu = Stop(out double steal);
        if (messages <= 0)
        {
            return null;
        }

        foreach (var (role, cpuSeconds) in roleCpu)
        {
            result.Values[$"cpu_us_per_msg_{role}"] = cpuSeconds * 1e6 / messages;
        }

        double total = roleCpu.Values.Sum();
        result.Values["cpu_us_per_msg_total"] = total * 1e6 / messages;
        result.Values["steal_s"] = steal;
        MachineCpuTimes now = ProcStats.MachineTimes() ?? default;
        double idleShare = now.Total > _machineStart.Total ? (now.Idle - _machineStart.Idle) / (now.Total - _machineStart.Total) : 0;
        result.Values["machine_idle_pct"] = idleShare * 100;
        string parts = string.Join(", ", roleCpu.Where(r => r.Value > 0).OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value * 1e6 / messages:F0}"));
        string note = $"CPU per message {total * 1e6 / messages:F0} µs: {parts}; steal {steal:F1} s; machine idle {idleShare * 100:F0} %";
        result.Notes.Add(note);
        return note;
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
}
