using System.Net;
using System.Net.Sockets;

namespace RealTimeMessageChat.RestApi.Login;

/// <summary>The key a client address is limited under.</summary>
internal static class ClientAddress
{
    /// <summary>
    /// IPv4 as it is; IPv6 by its /64, since one host is routinely given a whole /64 and could
    /// otherwise take a fresh address for every attempt; an IPv4-mapped IPv6 address as its IPv4.
    /// </summary>
    public static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
