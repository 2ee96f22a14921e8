using System.CommandLine;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using RealTimeMessageChat.UserClient.Options;

namespace RealTimeMessageChat.UserClient.Configuration;

/// <summary>
/// The command line: one <c>--&lt;key&gt; &lt;value&gt;</c> option per configuration key of
/// <see cref="UserClientOptions"/>, so <c>--help</c> lists each with its default and the key it
/// overrides. Values stay strings here: the configuration binder and the options' validation check
/// them with messages that name the key, whichever source they came from.
/// </summary>
internal static class UserClientCommandLine
{
    private static readonly Dictionary<string, string[]> ExtraNames = new()
    {
        ["user"] = ["-u"],
        ["password"] = ["-p"],
        ["last_seq"] = ["--last-seq"],
    };

    // A password may start with '@': it is a value, never a response file to expand.
    private static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null };

    private static readonly (RootCommand Root, List<(Option Option, string Key)> Keys) Command = Create();

    public static ParseResult Parse(string[] args) => Command.Root.Parse(args, Parser);

    /// <summary>The values given on the command line, by configuration key; what is not given is left to the file and the environment.</summary>
    public static Dictionary<string, string?> GivenValues(ParseResult result)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (option, key) in Command.Keys)
        {
            if (result.GetResult(option) is { Implicit: false })
            {
                values[key] = option is Option<bool> flag ? result.GetValue(flag).ToString() : result.GetValue((Option<string>)option);
            }
        }

        return values;
    }

    private static (RootCommand, List<(Option, string)>) Create()
    {
        var root = new RootCommand(
            $"RealTimeMessageChat console client. Each option overrides its key in config/{UserClientConfiguration.FileName} " +
            $"and the {UserClientConfiguration.EnvironmentPrefix}<KEY> environment variable.");
        var keys = new List<(Option, string)>();

        // The original code's spellings work here too, unlisted; first, so the canonical one wins when both are given.
        foreach (var (alias, key) in UserClientConfiguration.Aliases)
        {
            var option = new Option<string>("--" + alias) { Hidden = true };
            root.Options.Add(option);
            keys.Add((option, key));
        }

        var defaults = new UserClientOptions();
        foreach (PropertyInfo property in typeof(UserClientOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name is not { } key)
            {
                continue;
            }

            string[] extraNames = ExtraNames.GetValueOrDefault(key, []);
            Option option = property.PropertyType == typeof(bool)
                ? new Option<bool>("--" + key, extraNames)
                : new Option<string>("--" + key, extraNames) { HelpName = "value" };
            string description = property.GetCustomAttribute<DescriptionAttribute>()?.Description ?? string.Empty;
            option.Description = $"{description} [default: {FormatDefault(property.GetValue(defaults))}] " +
                $"[key: {key}, env: {UserClientConfiguration.EnvironmentPrefix}{key.ToUpperInvariant()}]";
            root.Options.Add(option);
            keys.Add((option, key));
        }

        return (root, keys);
    }

    // In the description rather than through DefaultValueFactory: help shows it for flags too, and an
    // option left out must not override the file's value with the built-in default.
    private static string FormatDefault(object? value) => value switch
    {
        null => "none",
        bool flag => flag ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "none",
    };
}
