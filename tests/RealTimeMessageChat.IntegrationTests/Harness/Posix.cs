using System.Runtime.InteropServices;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>Process.Kill sends SIGKILL to one process; graceful-shutdown tests need SIGTERM, fault tests a whole process group.</summary>
internal static partial class Posix
{
    public const int SigKill = 9;

    public const int SigTerm = 15;

    /// <summary>kill(2): a negative <paramref name="pid"/> signals that process group.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);
}
