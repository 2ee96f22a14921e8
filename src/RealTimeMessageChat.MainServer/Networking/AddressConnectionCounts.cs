using System.Net;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// Open connections per client address (<c>max_connections_per_address</c>), so that one address
/// flooding the server with connections takes its own share and not everyone's. Only addresses
/// with a connection open are held, so the table is bounded by <c>max_connections</c>.
/// </summary>
internal sealed class AddressConnectionCounts(int limit)
{
    private readonly Dictionary<IPAddress, int> _open = [];
    private readonly Lock _lock = new();

    /// <summary>0: no per-address limit.</summary>
    public int Limit { get; } = limit;

    /// <summary>Counts a new connection from <paramref name="address"/>; false (nothing counted) when that address is at the limit.</summary>
    public bool TryAcquire(IPAddress address)
    {
        if (Limit == 0)
        {
            return true;
        }

        address = Normalize(address);
        lock (_lock)
        {
            int open = _open.GetValueOrDefault(address);
            if (open >= Limit)
            {
                return false;
            }

            _open[address] = open + 1;
            return true;
        }
    }

    /// <summary>A connection counted by <see cref="TryAcquire"/> ended.</summary>
    public void Release(IPAddress address)
    {
        if (Limit == 0)
        {
            return;
        }

        address = Normalize(address);
        lock (_lock)
        {
            if (_open.TryGetValue(address, out int open))
            {
                if (open <= 1)
                {
                    _open.Remove(address);
                }
                else
                {
                    _open[address] = open - 1;
                }
            }
        }
    }

    // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d: the same address.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
