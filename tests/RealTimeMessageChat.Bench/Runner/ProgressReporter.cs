using System.Diagnostics;

namespace RealTimeMessageChat.Bench.Runner;

/// <summary>
/// Progress on stderr while the bench runs: which scenario, and a status line every two seconds
/// (how far, what it sees so far). stdout stays for the final table.
/// </summary>
internal sealed class ProgressReporter(string phase, int total)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private int _index;

    public void Begin(string title)
    {
        _index++;
        Write($"[{phase} {_index}/{total}] {title}");
    }

    public void Info(string text) => Write("    " + text);

    /// <summary>Prints <paramref name="status"/>() every two seconds until disposed.</summary>
    public IDisposable Ticker(Func<string> status) => new Tick(this, status);

    private void Write(string text) =>
        Console.Error.WriteLine($"==> {Stopwatch.GetElapsedTime(_start).TotalSeconds,6:F1}s {text}");

    private sealed class Tick : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Tick(ProgressReporter owner, Func<string> status)
        {
            _loop = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
                try
                {
                    while (await timer.WaitForNextTickAsync(_stop.Token))
                    {
                        owner.Info(status());
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait();
            _stop.Dispose();
        }
    }
}
