using System.Runtime.InteropServices;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>Process.Kill sends SIGKILL; graceful-shutdown tests need SIGTERM.</summary>
internal static partial class Posix
{
    public const int SigTerm = 15;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);
}
