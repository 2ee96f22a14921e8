using System.Diagnostics;
using System.Globalization;

namespace RealTimeMessageChat.Bench.References;

/// <summary>A C reference program run by the bench: its output lines, a wait for a given line, and its exit.</summary>
internal sealed class ReferenceProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private ReferenceProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public static ReferenceProcess Start(string path, params string[] arguments)
    {
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var reference = new ReferenceProcess(process);
        process.OutputDataReceived += (_, e) => reference.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => reference.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return reference;
    }

    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            string? seen = _lines.FirstOrDefault(match);
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            _waiters.Add((match, found));
        }

        return found.Task.WaitAsync(timeout);
    }

    /// <summary>Waits for the exit; kills the program after <paramref name="timeout"/>. Returns the exit code (-1 if killed).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _process.WaitForExitAsync(CancellationToken.None); // flushes the redirected output
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            Kill();
            return -1;
        }
    }

    /// <summary>The <c>key=value</c> pairs of the first output line starting with <paramref name="prefix"/>.</summary>
    public Dictionary<string, double>? ParseLine(string prefix)
    {
        string? line = Lines.FirstOrDefault(l => l.StartsWith(prefix + " ", StringComparison.Ordinal));
        return line is null ? null : ParseKeyValues(line);
    }

    public static Dictionary<string, double> ParseKeyValues(string line)
    {
        var values = new Dictionary<string, double>();
        foreach (string token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && double.TryParse(token.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                values[token[..eq]] = value;
            }
        }

        return values;
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
