using System.Collections;

namespace RealTimeMessageChat.Infrastructure.Tests;

/// <summary>
/// Clears every <c>RTMC_*</c> variable (./build.sh test exports the services' ones into the test
/// process), sets the given ones, and puts the original environment back on dispose.
/// </summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _saved = [];

    public EnvironmentScope(params (string Name, string Value)[] variables)
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            string name = (string)entry.Key;
            if (name.StartsWith("RTMC_", StringComparison.OrdinalIgnoreCase))
            {
                _saved[name] = (string?)entry.Value;
                Environment.SetEnvironmentVariable(name, null);
            }
        }

        foreach (var (name, value) in variables)
        {
            _saved.TryAdd(name, null);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
