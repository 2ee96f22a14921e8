using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>
/// One of our executables started as a real child process (<c>dotnet App.dll</c>) with environment
/// overrides. Keeps its output (for failure messages) and can stop it with SIGTERM and report the exit code.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Channel<string> _stdoutLines = Channel.CreateUnbounded<string>();

    private AppProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Standard output lines, in order, for programs whose output is the thing under test (UserClient).</summary>
    public ChannelReader<string> StdoutLines => _stdoutLines.Reader;

    public static AppProcess Start(string app, IReadOnlyDictionary<string, string> environment, string arguments = "", bool redirectInput = false)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{RepositoryPaths.AppDll(app)}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var appProcess = new AppProcess(app, process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                appProcess._stdoutLines.Writer.TryComplete();
                return;
            }

            appProcess.Remember(e.Data);
            appProcess._stdoutLines.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                appProcess.Remember(e.Data);
            }
        };
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {app}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return appProcess;
    }

    public Task WriteLineAsync(string line) => _process.StandardInput.WriteLineAsync(line);

    /// <summary>The last lines the process wrote, for assertion messages.</summary>
    public string Tail(int lines = 40) => $"--- {Name} (pid {_process.Id}) output ---{Environment.NewLine}{string.Join(Environment.NewLine, _output.TakeLast(lines))}";

    /// <summary>Polls <paramref name="url"/> until it answers 200; fails with the output if the process dies or time runs out.</summary>
    public async Task WaitUntilReadyAsync(string url, CancellationToken cancellationToken, string? tlsCaPath = null)
    {
        using var http = new HttpClient(ChatApi.Handler(tlsCaPath)) { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was ready.{Environment.NewLine}{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Name} not ready at {url}.{Environment.NewLine}{Tail()}");
            }
        }
    }

    /// <summary>SIGTERM, then wait for the exit code (SIGKILL after <paramref name="timeout"/>, reported as -1).</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return _process.ExitCode;
        }

        Posix.kill(_process.Id, Posix.SigTerm);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
            return -1;
        }
    }

    /// <summary>kill -9: no shutdown code runs, as when the machine's OOM killer or an operator's kill -9 ends it.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            Posix.kill(_process.Id, Posix.SigKill);
        }

        await _process.WaitForExitAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void Remember(string line)
    {
        _output.Enqueue(line);
        while (_output.Count > 400)
        {
            _output.TryDequeue(out _);
        }
    }
}
