namespace RealTimeMessageChat.UserClient.Configuration;

/// <summary>
/// Finds <c>config/&lt;file&gt;</c> by the same rules as the servers (Infrastructure's
/// <c>RtmcConfigurationExtensions.FindConfigFile</c>, which this project may not reference):
/// <c>RTMC_CONFIG_DIR</c> when set, else the working directory or one of its parents, else beside the executable.
/// </summary>
internal static class ConfigFileLocator
{
    public const string ConfigDirectoryVariable = "RTMC_CONFIG_DIR";

    public static string Find(string fileName, string? explicitDirectory, string workingDirectory, string baseDirectory)
    {
        if (!string.IsNullOrEmpty(explicitDirectory))
        {
            string candidate = Path.GetFullPath(Path.Combine(explicitDirectory, fileName));
            return File.Exists(candidate)
                ? candidate
                : throw new UserClientConfigurationException($"Configuration file '{candidate}' not found ({ConfigDirectoryVariable}={explicitDirectory}).");
        }

        var searched = new List<string>();
        for (var directory = new DirectoryInfo(workingDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "config", fileName);
            searched.Add(candidate);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        string besideExecutable = Path.Combine(baseDirectory, "config", fileName);
        searched.Add(besideExecutable);
        return File.Exists(besideExecutable)
            ? besideExecutable
            : throw new UserClientConfigurationException(
                $"Configuration file '{fileName}' not found. Looked in: {string.Join(", ", searched)}. Set {ConfigDirectoryVariable} to the folder that holds it.");
    }
}
