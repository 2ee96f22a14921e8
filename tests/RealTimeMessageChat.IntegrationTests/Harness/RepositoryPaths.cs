namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>Finds the repository and the built apps (same configuration as this test assembly).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string ConfigDirectory => Path.Combine(Root, "config");

    public static string AppDll(string app) =>
        Path.Combine(Root, "src", $"RealTimeMessageChat.{app}", "bin", Configuration, "net10.0", $"RealTimeMessageChat.{app}.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RealTimeMessageChat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RealTimeMessageChat.sln not found above " + AppContext.BaseDirectory);
    }
}
