using System.Net;
using System.Net.Sockets;

namespace RealTimeMessageChat.IntegrationTests.Harness;

public static class FreePort
{
    /// <summary>A port the kernel just handed out on loopback; released at once for a child process to bind.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
