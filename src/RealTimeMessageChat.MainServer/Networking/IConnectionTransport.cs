using System.Net;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// The byte stream under one <see cref="ClientConnection"/>: plaintext on the socket itself
/// (<see cref="SocketTransport"/>) or TLS over it (<see cref="TlsTransport"/>), chosen once at
/// accept. Everything above it (framing, rooms, presence) is the same for both. One call per
/// receive and per gathered send, never per frame or byte; each call site sees one type per
/// process in practice, which dynamic PGO turns into a guarded direct call.
/// </summary>
internal interface IConnectionTransport : IDisposable
{
    EndPoint? RemoteEndPoint { get; }

    /// <summary>True once <see cref="StartAsync"/> has finished: frames may be read and written.</summary>
    bool IsEstablished { get; }

    /// <summary>Whatever must happen before the first frame (the TLS handshake); throws when it fails.</summary>
    ValueTask StartAsync();

    /// <summary>
    /// Reads into <paramref name="buffer"/>; 0 means the peer closed. An empty buffer waits until
    /// bytes are there without taking any (the receive loop rents its buffer only then).
    /// </summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer);

    /// <summary>Sends every segment; completes when all were handed to the socket; throws when the peer is gone.</summary>
    ValueTask SendAsync(IList<ArraySegment<byte>> segments);

    /// <summary>The end of a graceful close, after the last send: TLS sends its close_notify; plaintext has nothing to add.</summary>
    ValueTask ShutdownAsync();

    /// <summary>Shuts the socket down and closes it; pending receives and sends end with an error.</summary>
    void Close();
}
