namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// The open connections. The broadcaster iterates an immutable array snapshot rebuilt on each
/// add/remove, so the per-message path takes no lock and allocates nothing.
/// </summary>
internal sealed class ConnectionRegistry
{
    private readonly Lock _gate = new();
    private readonly HashSet<ClientConnection> _connections = [];
    private ClientConnection[] _snapshot = [];

    /// <summary>Raised after a connection has been removed (its close reason is set).</summary>
    public event Action<ClientConnection>? Removed;

    public int Count => Volatile.Read(ref _snapshot).Length;

    public ClientConnection[] Snapshot() => Volatile.Read(ref _snapshot);

    public void Add(ClientConnection connection)
    {
        lock (_gate)
        {
            if (_connections.Add(connection))
            {
                Volatile.Write(ref _snapshot, [.. _connections]);
            }
        }
    }

    public void Remove(ClientConnection connection)
    {
        bool removed;
        lock (_gate)
        {
            removed = _connections.Remove(connection);
            if (removed)
            {
                Volatile.Write(ref _snapshot, [.. _connections]);
            }
        }

        if (removed)
        {
            Removed?.Invoke(connection);
        }
    }
}
