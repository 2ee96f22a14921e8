using System.Collections;
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

    // The original code's spellings, used only when the canonical key is not set anywhere.
    private static readonly (string Alias, string Key)[] Aliases =
    [
        ("main_server_host", "server_host"),
        ("main_server_port", "server_port"),
        ("main_server_heartbeat_interval_sec", "heartbeat_interval_sec"),
    ];

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--last-seq"] = "last_seq",
        ["-u"] = "user",
        ["-p"] = "password",
    };

    /// <summary>Flags that take no value on the command line.</summary>
    private static readonly string[] Flags = ["--register"];

    /// <summary>Loads and validates. <paramref name="environment"/> defaults to the process environment.</summary>
    public static UserClientOptions Load(string[] args, IDictionary? environment = null, string? workingDirectory = null)
    {
        IConfigurationRoot configuration = Build(args, environment, workingDirectory);
        return BindAndValidate(configuration);
    }

    public static IConfigurationRoot Build(string[] args, IDictionary? environment = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
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
            builder.AddCommandLine(NormalizeArguments(args), SwitchMappings);
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

    /// <summary>
    /// The command-line provider takes the next argument as the value of any <c>--key</c>, so a bare
    /// flag such as <c>--register</c> would swallow <c>--user</c>: give flags an explicit value.
    /// </summary>
    private static string[] NormalizeArguments(string[] args)
    {
        var result = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            bool isFlag = Flags.Contains(arg, StringComparer.OrdinalIgnoreCase);
            bool nextIsBoolean = i + 1 < args.Length && bool.TryParse(args[i + 1], out _);
            result.Add(isFlag && !nextIsBoolean ? arg + "=true" : arg);
        }

        return [.. result];
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
