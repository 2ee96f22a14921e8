using RealTimeMessageChat.MainServer.Collections;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>The open connections: O(1) add and remove, lock-free iteration (the timer's tick).</summary>
internal sealed class ConnectionRegistry
{
    private readonly SlotArray<ClientConnection> _connections = new(1024);

    /// <summary>Raised after a connection has been removed (its close reason is set).</summary>
    public event Action<ClientConnection>? Removed;

    public int Count => _connections.Count;

    /// <summary>The current slots, some null; iterate without a lock.</summary>
    public ClientConnection?[] Items => _connections.Items;

    /// <summary>A copy, for shutdown and tests.</summary>
    public ClientConnection[] Snapshot() => [.. _connections.ToList()];

    public void Add(ClientConnection connection) => connection.RegistrySlot = _connections.Add(connection);

    public void Remove(ClientConnection connection)
    {
        if (_connections.Remove(connection.RegistrySlot, connection))
        {
            Removed?.Invoke(connection);
        }
    }
}
