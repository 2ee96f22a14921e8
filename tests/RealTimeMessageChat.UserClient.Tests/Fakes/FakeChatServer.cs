using System.Net;
using System.Net.Sockets;

namespace RealTimeMessageChat.UserClient.Tests.Fakes;

/// <summary>A TCP listener on 127.0.0.1 port 0 standing in for MainServer; each accepted socket is a <see cref="FakeServerPeer"/>.</summary>
internal sealed class FakeChatServer : IDisposable
{
    private readonly TcpListener _listener;

    private FakeChatServer(TcpListener listener) => _listener = listener;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static FakeChatServer Start(int port = 0)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new FakeChatServer(listener);
    }

    public async Task<FakeServerPeer> AcceptAsync(CancellationToken cancellationToken) =>
        new(await _listener.AcceptSocketAsync(cancellationToken));

    public void Dispose() => _listener.Stop();
}
