namespace RealTimeMessageChat.MainServer.Delivery;

/// <summary>
/// What delivery needs of a transport: a way to have its writer run, and a way to drop a client
/// that cannot keep up. The TCP connection is one; a browser transport (ROADMAP) can be another.
/// </summary>
internal interface IDeliveryTarget
{
    long Id { get; }

    /// <summary>Makes the writer run soon if it is idle; cheap and safe from any thread.</summary>
    void Schedule();

    /// <summary>
    /// Runs the writer on the calling thread if it is idle (the feed's fan-out); returns once its
    /// send is done or waiting on the socket. A writer already running picks the new frames up.
    /// </summary>
    void RunNow();

    /// <summary>Queues a control frame (reply, typing indicator) ahead of broadcasts.</summary>
    void Send(byte[] frame);

    /// <summary>Disconnects a client whose backlog passed its bounds.</summary>
    void EvictSlow(string detail);
}
