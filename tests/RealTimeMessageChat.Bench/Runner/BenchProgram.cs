using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using RealTimeMessageChat.Bench.Measure;
using RealTimeMessageChat.Bench.Report;

namespace RealTimeMessageChat.Bench.Runner;

internal static class BenchProgram
{
    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        if (options.Phase == "report")
        {
            return ReportWriter.Write(options.OutputDirectory, Console.Out);
        }

        var progress = new ProgressReporter(options.Phase, BenchPhases.Count(options.Phase, options.Quick));
        var results = new BenchResults { Phase = options.Phase, Quick = options.Quick, StartedAt = DateTimeOffset.UtcNow };
        results.Environment["machine"] = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}";
        results.Environment["load generator"] = $".NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, " +
            $"inline socket completions {Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") ?? "0"}";
        results.Environment[$"load average at the start of {options.Phase}"] = ProcStats.LoadAverage();
        long start = Stopwatch.GetTimestamp();
        int exitCode = 0;
        using (var context = new BenchContext(options, progress))
        {
            try
            {
                await BenchPhases.RunAsync(context, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A phase that cannot start (API down, Redis unreachable): keep what was measured.
                Console.Error.WriteLine($"error: phase {options.Phase} stopped: {ex}");
                context.Add($"{options.Phase}.error", $"phase {options.Phase}").Skipped = $"{ex.GetType().Name}: {ex.Message}";
                exitCode = 1;
            }

            foreach (string error in context.Pool.Errors)
            {
                Console.Error.WriteLine("    client: " + error);
            }

            results.Measurements.AddRange(context.Results);
        }

        results.DurationSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        string path = Path.Combine(options.OutputDirectory, $"phase-{Array.IndexOf(BenchPhases.Names, options.Phase) + 1}-{options.Phase}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(results, BenchJsonContext.Default.BenchResults), cancellationToken);
        return exitCode;
    }
}
