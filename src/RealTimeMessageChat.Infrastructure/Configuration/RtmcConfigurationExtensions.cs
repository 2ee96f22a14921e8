using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace RealTimeMessageChat.Infrastructure.Configuration;

/// <summary>
/// Loads a process's configuration the way CONTRACT.md describes: the original's flat snake_case
/// file in <c>config/</c>, then environment variables prefixed <c>RTMC_</c>, then command-line
/// arguments (<c>--server_port 9000</c>), each overriding the one before.
/// </summary>
public static class RtmcConfigurationExtensions
{
    /// <summary>Environment variables with this prefix override file keys: <c>RTMC_SERVER_PORT</c> sets <c>server_port</c>.</summary>
    public const string EnvironmentPrefix = "RTMC_";

    /// <summary>Directory holding the configuration files; overrides the search described in <see cref="FindConfigFile"/>.</summary>
    public const string ConfigDirectoryVariable = "RTMC_CONFIG_DIR";

    /// <summary>
    /// The original C++ code's spellings, accepted when the canonical key is not set anywhere.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> KeyAliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["main_server_port"] = "server_port",
        ["main_server_host"] = "server_host",
        ["rabbit_mq_host"] = "rabbitmq_host",
        ["rabbit_mq_port"] = "rabbitmq_port",
        ["rabbit_mq_user"] = "rabbitmq_user",
        ["rabbit_mq_password"] = "rabbitmq_password",
        ["rabbit_mq_vhost"] = "rabbitmq_vhost",
        ["rabbit_mq_queue_name"] = "consume_queue_name",
        ["redis_server_host"] = "redis_host",
        ["redis_server_port"] = "redis_port",
        ["rest_api_port"] = "server_port",
        ["main_server_heartbeat_interval_sec"] = "heartbeat_interval_sec",
    };

    /// <summary>Replaces the host's default sources with file, aliases, <c>RTMC_*</c> environment and command line.</summary>
    public static IHostApplicationBuilder AddRtmcConfiguration(this IHostApplicationBuilder builder, string fileName, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(args);

        var configuration = builder.Configuration;
        configuration.Sources.Clear();
        string? explicitDirectory = Environment.GetEnvironmentVariable(ConfigDirectoryVariable);
        string path = FindConfigFile(fileName, explicitDirectory);
        configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
        configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddCommandLine(args);
        ApplyAliases(configuration);
        configuration["rtmc_config_file"] = path;
        return builder;
    }

    /// <summary>
    /// Finds <c>config/&lt;fileName&gt;</c>: in <paramref name="explicitDirectory"/> when given, else in
    /// the working directory or one of its parents, else beside the executable.
    /// </summary>
    public static string FindConfigFile(string fileName, string? explicitDirectory)
    {
        if (!string.IsNullOrEmpty(explicitDirectory))
        {
            string candidate = Path.GetFullPath(Path.Combine(explicitDirectory, fileName));
            return File.Exists(candidate)
                ? candidate
                : throw new RtmcConfigurationException($"Configuration file '{candidate}' not found ({ConfigDirectoryVariable}={explicitDirectory}).");
        }

        var searched = new List<string>();
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "config", fileName);
            searched.Add(candidate);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        string besideExecutable = Path.Combine(AppContext.BaseDirectory, "config", fileName);
        searched.Add(besideExecutable);
        return File.Exists(besideExecutable)
            ? besideExecutable
            : throw new RtmcConfigurationException(
                $"Configuration file '{fileName}' not found. Looked in: {string.Join(", ", searched)}. Set {ConfigDirectoryVariable} to the folder that holds it.");
    }

    private static void ApplyAliases(IConfigurationManager configuration)
    {
        // Lowest priority: an alias fills a key only when no source sets the canonical name.
        var fallback = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, canonical) in KeyAliases)
        {
            string? value = configuration[alias];
            if (value is not null && configuration[canonical] is null)
            {
                fallback[canonical] = value;
            }
        }

        if (fallback.Count > 0)
        {
            configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = fallback });
        }
    }
}
