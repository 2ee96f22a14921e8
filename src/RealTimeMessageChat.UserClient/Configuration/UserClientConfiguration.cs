using System.Collections;
using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using RealTimeMessageChat.UserClient.Options;

namespace RealTimeMessageChat.UserClient.Configuration;

/// <summary>
/// Builds <see cref="UserClientOptions"/> from the config file, then <c>RTMC_*</c> environment
/// variables, then the command line, and validates them with messages that name the key.
/// </summary>
internal static class UserClientConfiguration
{
    public const string FileName = "user_client_configurations.json";
    public const string EnvironmentPrefix = "RTMC_";

    // The original code's spellings: in the file and the environment used only when the canonical key
    // is not set anywhere; on the command line they stand for the canonical key.
    public static readonly (string Alias, string Key)[] Aliases =
    [
        ("main_server_host", "server_host"),
        ("main_server_port", "server_port"),
        ("main_server_heartbeat_interval_sec", "heartbeat_interval_sec"),
    ];

    /// <summary>Parses, loads and validates. <paramref name="environment"/> defaults to the process environment.</summary>
    public static UserClientOptions Load(string[] args, IDictionary? environment = null, string? workingDirectory = null) =>
        Load(UserClientCommandLine.Parse(args), environment, workingDirectory);

    public static UserClientOptions Load(ParseResult commandLine, IDictionary? environment = null, string? workingDirectory = null)
    {
        IConfigurationRoot configuration = Build(commandLine, environment, workingDirectory);
        return BindAndValidate(configuration);
    }

    public static IConfigurationRoot Build(ParseResult commandLine, IDictionary? environment = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        if (commandLine.Errors.Count > 0)
        {
            throw new UserClientConfigurationException(string.Join(Environment.NewLine, commandLine.Errors.Select(error => error.Message)));
        }

        environment ??= Environment.GetEnvironmentVariables();
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                variables[name[EnvironmentPrefix.Length..]] = entry.Value as string;
            }
        }

        string path = ConfigFileLocator.Find(
            FileName,
            variables.GetValueOrDefault("CONFIG_DIR"),
            workingDirectory ?? Directory.GetCurrentDirectory(),
            AppContext.BaseDirectory);

        var builder = new ConfigurationBuilder();
        try
        {
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
            builder.AddInMemoryCollection(variables);
            builder.AddInMemoryCollection(UserClientCommandLine.GivenValues(commandLine));
            IConfigurationRoot root = builder.Build();
            ApplyAliases(root);
            return root;
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or ArgumentException)
        {
            throw new UserClientConfigurationException($"Cannot read the configuration ({path}): {ex.Message}");
        }
    }

    public static UserClientOptions BindAndValidate(IConfiguration configuration)
    {
        var options = new UserClientOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key: "Failed to convert configuration value 'abc' at 'server_port'…".
            throw new UserClientConfigurationException(ex.InnerException is null ? ex.Message : $"{ex.Message} {ex.InnerException.Message}");
        }

        var failures = new List<string>();
        foreach (PropertyInfo property in typeof(UserClientOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            string key = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            object? value = property.GetValue(options);
            foreach (ValidationAttribute attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (!attribute.IsValid(value))
                {
                    failures.Add($"Configuration key '{key}': {attribute.FormatErrorMessage(key)}");
                }
            }
        }

        failures.AddRange(options.Validate(new ValidationContext(options)).Select(result => result.ErrorMessage ?? "invalid value"));
        return failures.Count == 0 ? options : throw new UserClientConfigurationException(string.Join(Environment.NewLine, failures));
    }

    private static void ApplyAliases(IConfigurationRoot root)
    {
        foreach (var (alias, key) in Aliases)
        {
            if (root[key] is null && root[alias] is { } value)
            {
                root[key] = value;
            }
        }
    }
}
