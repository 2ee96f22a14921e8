using Microsoft.AspNetCore.Builder;
using Serilog;

namespace RealTimeMessageChat.Infrastructure.Hosting;

/// <summary>
/// The shared shape of every <c>Program.cs</c>: a bootstrap console logger until configuration is
/// read (each host then logs through its own logger from <c>AddRtmcLogging</c>; this one stays for
/// failures at start and after the host ends, on the console that build.sh captures), one place that turns a failed start into a clear message and exit code 1, and log flushing.
/// </summary>
public static class RtmcProgram
{
    /// <summary>
    /// <see cref="WebApplication.CreateBuilder(string[])"/> without the default sources' file
    /// watching. <c>AddRtmcConfiguration</c> replaces those sources anyway, but the default
    /// <c>appsettings.json</c> source has already started a recursive watcher on the content root
    /// by then: with the checkout as the working directory, 800 inotify watches, woken by every
    /// log line and build output under it (a tenth of the consumer's CPU under load, perf
    /// 2026-12-02). Our own configuration file is read once at start (CONTRACT.md).
    /// </summary>
    public static WebApplicationBuilder CreateWebApplicationBuilder(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
    }

    public static async Task<int> RunAsync(string applicationName, Func<Task> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Log.Logger = new LoggerConfiguration().WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose).CreateLogger();
        try
        {
            await run().ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is Configuration.RtmcConfigurationException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            // A bad value is an operator's error, not a crash: say which key, without a stack trace.
            Log.Fatal("{Application} cannot start: {Reason}", applicationName, ex.Message);
            return 1;
        }
        catch (Exception ex)
        {
            Log.Fatal(ex, "{Application} terminated unexpectedly", applicationName);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync().ConfigureAwait(false);
        }
    }
}
