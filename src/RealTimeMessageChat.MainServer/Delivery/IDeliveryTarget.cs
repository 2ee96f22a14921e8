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

    /// <summary>Disconnects a client whose backlog passed its bounds.</summary>
    void EvictSlow(string detail);
}
