using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Serilog.Events;

namespace RealTimeMessageChat.Infrastructure.Logging;

/// <summary>Where and how much each process logs.</summary>
public sealed class LoggingOptions
{
    /// <summary>Folder for rolling log files (one per process per day). Default <c>logs</c>, relative to the working directory.</summary>
    [ConfigurationKeyName("log_root_path")]
    [Required]
    public string LogRootPath { get; set; } = "logs";

    /// <summary>Minimum level: Verbose, Debug, Information, Warning, Error, Fatal. Default Information.</summary>
    [ConfigurationKeyName("log_level")]
    public LogEventLevel LogLevel { get; set; } = LogEventLevel.Information;

    /// <summary>Write logs to the console as well as the file. Default true.</summary>
    [ConfigurationKeyName("log_to_console")]
    public bool LogToConsole { get; set; } = true;
}
