namespace RealTimeMessageChat.TestUtilities.Services;

/// <summary>Which <see cref="ITestServices"/> a test run uses; see <see cref="TestServicesSelection"/>.</summary>
public enum TestServicesKind
{
    /// <summary><see cref="LoopbackServices"/>: the servers <c>./build.sh test</c> started.</summary>
    Loopback,

    /// <summary><see cref="ContainerServices"/>: Testcontainers on a Docker engine.</summary>
    Containers,
}
