using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace RealTimeMessageChat.Infrastructure.Configuration;

/// <summary>
/// Validates options with their data annotations and reports each failure by its configuration
/// key (<c>server_port</c>), not by the C# property name, so the message points at the file.
/// Options may also implement <see cref="IValidatableObject"/> for checks across keys.
/// </summary>
public sealed class KeyNamedOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (PropertyInfo property in typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            string key = KeyOf(property);
            object? value = property.GetValue(options);
            foreach (ValidationAttribute attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (!attribute.IsValid(value))
                {
                    failures.Add($"Configuration key '{key}': {attribute.FormatErrorMessage(key)}");
                }
            }
        }

        if (options is IValidatableObject validatable)
        {
            foreach (ValidationResult result in validatable.Validate(new ValidationContext(options)))
            {
                failures.Add(result.ErrorMessage ?? "invalid value");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The key a property binds to: its <see cref="ConfigurationKeyNameAttribute"/>, else its name.</summary>
    public static string KeyOf(PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
    }
}
