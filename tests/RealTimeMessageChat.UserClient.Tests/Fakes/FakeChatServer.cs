using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using RealTimeMessageChat.TestUtilities;

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

    /// <summary>Accepts and completes a TLS 1.2/1.3 handshake as the MainServer would, with <paramref name="pki"/>'s server certificate and intermediate.</summary>
    public async Task<FakeServerPeer> AcceptTlsAsync(TestPki pki, CancellationToken cancellationToken)
    {
        Socket socket = await _listener.AcceptSocketAsync(cancellationToken);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = SslStreamCertificateContext.Create(pki.Server, [pki.Intermediate], offline: true),
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                },
                cancellationToken);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }

        return new FakeServerPeer(socket, tls);
    }

    public void Dispose() => _listener.Stop();
}
