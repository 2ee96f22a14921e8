using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RealTimeMessageChat.Infrastructure.Configuration;
using Serilog;
using Serilog.Events;

namespace RealTimeMessageChat.Infrastructure.Logging;

/// <summary>
/// Serilog behind <see cref="ILogger{T}"/>: console plus a daily rolling file under
/// <c>log_root_path</c>. Wired through Serilog.Extensions.Logging because Serilog.AspNetCore and
/// Serilog.Extensions.Hosting are not served by our package source.
/// </summary>
public static class RtmcLoggingExtensions
{
    private const string Template = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static IHostApplicationBuilder AddRtmcLogging(this IHostApplicationBuilder builder, string applicationName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        LoggingOptions options = builder.Configuration.GetValidated<LoggingOptions>();

        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(options.LogLevel)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Application", applicationName)
            .WriteTo.File(
                Path.Combine(options.LogRootPath, $"{applicationName}-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                fileSizeLimitBytes: 100 * 1024 * 1024,
                rollOnFileSizeLimit: true,
                outputTemplate: Template);
        if (options.LogToConsole)
        {
            configuration.WriteTo.Console(outputTemplate: Template, standardErrorFromLevel: LogEventLevel.Verbose);
        }

        Log.Logger = configuration.CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(Log.Logger, dispose: true);
        return builder;
    }
}
