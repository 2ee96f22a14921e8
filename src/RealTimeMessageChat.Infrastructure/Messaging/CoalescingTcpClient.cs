using System.Net.Sockets;
using RabbitMQ.Client;

namespace RealTimeMessageChat.Infrastructure.Messaging;

/// <summary>
/// The socket RabbitMQ.Client opens for each broker connection (its default: TCP, no Nagle), with
/// a <see cref="CoalescingNetworkStream"/> so that frames written together leave in one send.
/// </summary>
internal sealed class CoalescingTcpClient(Socket socket) : TcpClientAdapter(socket)
{
    /// <summary>For <c>ConnectionFactory.SocketFactory</c>.</summary>
    public static ITcpClient Create(AddressFamily addressFamily) =>
        new CoalescingTcpClient(new Socket(addressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });

    public override NetworkStream GetStream() => new CoalescingNetworkStream(Client);
}
