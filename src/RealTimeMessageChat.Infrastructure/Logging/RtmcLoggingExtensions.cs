using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RealTimeMessageChat.Infrastructure.Configuration;
using Serilog;
using Serilog.Events;

namespace RealTimeMessageChat.Infrastructure.Logging;

/// <summary>
/// Serilog behind <see cref="Microsoft.Extensions.Logging.ILogger{T}"/> (Serilog.AspNetCore, the
/// serilog-aspnetcore samples' two-stage shape: <see cref="Hosting.RtmcProgram"/> starts a
/// bootstrap logger, this replaces it once configuration is read). Console plus a daily rolling
/// file under <c>log_root_path</c>, both behind the async sink so a slow disk or terminal never
/// blocks a request or a delivery.
/// </summary>
public static class RtmcLoggingExtensions
{
    private const string Template = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    // Events queued for the writer thread before new ones are dropped (and counted by the sink)
    // rather than blocking the caller: a burst of 10,000 connection lines fits.
    private const int AsyncBufferSize = 50_000;

    // Above Fatal: a category overridden to this level writes nothing, and says so to IsEnabled.
    private const LogEventLevel Off = LogEventLevel.Fatal + 1;

    public static IHostApplicationBuilder AddRtmcLogging(this IHostApplicationBuilder builder, string applicationName)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Read when the host builds its logger, not now: configuration added later (tests, the
        // generic host's own sources) must count, and a bad value still stops the start.
        builder.Configuration.GetValidated<LoggingOptions>();
        builder.Services.AddSerilog((services, configuration) =>
        {
            LoggingOptions options = services.GetRequiredService<IConfiguration>().GetValidated<LoggingOptions>();
            configuration
                .MinimumLevel.Is(options.LogLevel)
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)

                // Off: with this category enabled at any level, ASP.NET Core starts an Activity and
                // a log scope for every request, which no sink here prints (the request line is
                // RequestLogMiddleware's). Its own lines (request starting/finished) were below
                // Warning anyway.
                .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", Off)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("Application", applicationName)
                .WriteTo.Async(
                    sink => sink.File(
                        Path.Combine(options.LogRootPath, $"{applicationName}-.log"),
                        rollingInterval: RollingInterval.Day,
                        retainedFileCountLimit: 14,
                        fileSizeLimitBytes: 100 * 1024 * 1024,
                        rollOnFileSizeLimit: true,
                        outputTemplate: Template,
                        // Written in blocks and flushed every second, not flushed per event: at
                        // thousands of events a second the per-event flush was most of the
                        // writer's cost (perf, 2026-12-02). A crash loses at most that second.
                        buffered: true,
                        flushToDiskInterval: TimeSpan.FromSeconds(1)),
                    bufferSize: AsyncBufferSize,
                    blockWhenFull: false);
            if (options.LogToConsole)
            {
                configuration.WriteTo.Async(
                    sink => sink.Console(outputTemplate: Template, standardErrorFromLevel: LogEventLevel.Verbose),
                    bufferSize: AsyncBufferSize,
                    blockWhenFull: false);
            }
        },
        // Each host keeps its own logger and leaves the static Log.Logger (RtmcProgram's console
        // logger for start-up failures) alone: with it shared, the API tests' many hosts in one
        // process logged into each other's sinks.
        preserveStaticLogger: true);
        CategoryCachingLoggerFactory.Decorate(builder.Services);
        return builder;
    }

    /// <summary>
    /// One line per HTTP request (method, path without the query, status, time), never a body or a
    /// header, so no token or password reaches the log. Probes, scrapes and accepted publishes (the
    /// hot path, thousands a second; counted by the <c>http.server.request.duration</c> metric)
    /// log at Debug; every refusal (4xx) at Information, a failure (5xx) at Error.
    /// </summary>
    public static IApplicationBuilder UseRtmcRequestLogging(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestLogMiddleware>(app.ApplicationServices.GetRequiredService<Serilog.ILogger>());
}
