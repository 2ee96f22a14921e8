using System.Diagnostics;
using System.Globalization;

namespace RealTimeMessageChat.Bench.Measure;

/// <summary>Resident memory and CPU time of a process, from <c>/proc</c> (Linux only).</summary>
internal static class ProcStats
{
    private static readonly double ClockTicks = 100.0; // USER_HZ: 100 on every Linux we run

    /// <summary>VmRSS in bytes; -1 when the process is gone or has no such line.</summary>
    public static long RssBytes(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }

    /// <summary>User + system CPU seconds of a process (utime + stime of <c>/proc/PID/stat</c>); -1 when gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name may hold spaces and parentheses: fields are counted after the last ')'.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            long stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / ClockTicks;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    /// <summary>CPU seconds the whole machine spent busy (all cores, from the first line of <c>/proc/stat</c>); -1 if unreadable.</summary>
    public static double MachineBusySeconds() => MachineTimes() is { } times ? times.Busy : -1;

    /// <summary>
    /// The whole machine's CPU seconds (all cores) from the first line of <c>/proc/stat</c>: busy
    /// (all but idle and iowait), idle (idle + iowait), steal (given to other guests; part of
    /// busy) and their total; null if unreadable.
    /// </summary>
    public static MachineCpuTimes? MachineTimes()
    {
        try
        {
            string line = File.ReadLines("/proc/stat").First();
            long[] fields = [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture))];

            // user nice system idle iowait irq softirq steal ...
            long steal = fields.Length > 7 ? fields[7] : 0;
            long busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + steal;
            long idle = fields[3] + fields[4];
            return new MachineCpuTimes(busy / ClockTicks, idle / ClockTicks, steal / ClockTicks);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages, as <c>/proc/loadavg</c> writes them.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static double OwnCpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
}

/// <summary>CPU seconds of the whole machine, as <see cref="ProcStats.MachineTimes"/> reads them.</summary>
internal readonly record struct MachineCpuTimes(double Busy, double Idle, double Steal)
{
    public double Total => Busy + Idle;
}
