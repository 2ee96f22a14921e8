using System.Net;
using System.Net.Sockets;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>Ports for the child processes the end-to-end tests start, released at once for them to bind.</summary>
public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999 by default): a port the kernel hands out with
    // bind(0) is one it may hand to any outgoing connection a moment later (seen when a load test
    // shared the machine: the consumer's health port was taken before it could bind). The fixed
    // ports of build.sh's instances in this range (RabbitMQ's 2569x) are listening while the tests
    // run, so the check below passes over them.
    private const int First = 20_000;
    private const int Last = 32_000;

    private static int _next = First + Random.Shared.Next(Last - First);

    public static int Next()
    {
        for (int attempt = 0; attempt < Last - First; attempt++)
        {
            int port = First + (Interlocked.Increment(ref _next) % (Last - First));
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port between {First} and {Last}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
