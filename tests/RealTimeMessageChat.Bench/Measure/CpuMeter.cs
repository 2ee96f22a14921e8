using System.Diagnostics;

namespace RealTimeMessageChat.Bench.Measure;

/// <summary>CPU seconds of this process (the load generator) and of the server under test over one window.</summary>
internal sealed class CpuMeter
{
    private readonly int _serverPid;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly double _ownStart = ProcStats.OwnCpuSeconds();
    private readonly double _serverStart;
    private readonly double _machineStart = ProcStats.MachineBusySeconds();

    public CpuMeter(int serverPid)
    {
        _serverPid = serverPid;
        _serverStart = serverPid > 0 ? ProcStats.CpuSeconds(serverPid) : -1;
    }

    public Dictionary<string, double> Stop()
    {
        double wall = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        var values = new Dictionary<string, double>
        {
            ["wall_s"] = wall,
            ["bench_cpu_s"] = ProcStats.OwnCpuSeconds() - _ownStart,
        };
        double server = 0;
        if (_serverPid > 0 && _serverStart >= 0)
        {
            double now = ProcStats.CpuSeconds(_serverPid);
            if (now >= 0)
            {
                server = now - _serverStart;
                values["server_cpu_s"] = server;
            }
        }

        // What the rest of the machine (other users' builds and tests, the other services) took
        // meanwhile: the noise under this scenario's figures.
        double machine = ProcStats.MachineBusySeconds();
        if (machine >= 0 && _machineStart >= 0)
        {
            values["machine_cpu_s"] = machine - _machineStart;
            values["other_cpu_s"] = Math.Max(0, machine - _machineStart - values["bench_cpu_s"] - server);
        }

        return values;
    }
}
