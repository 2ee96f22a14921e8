using System.Net;
using System.Net.Sockets;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>Plaintext: the socket itself, zero-byte receives and <see cref="SocketSender"/>'s non-blocking first try.</summary>
internal sealed class SocketTransport : IConnectionTransport
{
    private readonly Socket _socket;

    public SocketTransport(Socket socket)
    {
        _socket = socket;

        // The writer's first try at a send must return at once (SocketSender); the receive loop
        // and the slow sends are asynchronous and do not depend on it.
        _socket.Blocking = false;
    }

    public EndPoint? RemoteEndPoint => _socket.RemoteEndPoint;

    public bool IsEstablished => true;

    public ValueTask StartAsync() => ValueTask.CompletedTask;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => _socket.ReceiveAsync(buffer, SocketFlags.None);

    public ValueTask SendAsync(IList<ArraySegment<byte>> segments) => SocketSender.SendAsync(_socket, segments);

    public ValueTask ShutdownAsync() => ValueTask.CompletedTask;

    public void Close() => ShutdownAndClose(_socket);

    public void Dispose() => _socket.Dispose();

    /// <summary>Shutdown (a FIN after what was sent) then close; a socket the peer already reset is fine.</summary>
    internal static void ShutdownAndClose(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset by the peer.
        }

        socket.Close();
    }
}
