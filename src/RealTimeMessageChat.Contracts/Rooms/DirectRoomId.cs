using System.Security.Cryptography;
using System.Text;

namespace RealTimeMessageChat.Contracts.Rooms;

/// <summary>
/// The canonical room id of the direct-message thread between two users (issue 8): <c>dm-</c> and
/// the first 20 lowercase hex characters of SHA-256 over <c>"&lt;smaller id&gt;\n&lt;larger id&gt;"</c>
/// (ordinal order), so both users, the API and the UserClient compute the same id without asking.
/// 80 bits of hash: a collision needs about 2^40 threads. The id matches the room id pattern.
/// </summary>
public static class DirectRoomId
{
    /// <summary>Reserved prefix: no room created over <c>POST /api/v1/rooms</c> may start with it.</summary>
    public const string Prefix = "dm-";

    private const int HexLength = 20;

    /// <summary>The DM room of <paramref name="userA"/> and <paramref name="userB"/>; the same whichever comes first.</summary>
    public static string For(string userA, string userB)
    {
        ArgumentException.ThrowIfNullOrEmpty(userA);
        ArgumentException.ThrowIfNullOrEmpty(userB);
        (string low, string high) = string.CompareOrdinal(userA, userB) <= 0 ? (userA, userB) : (userB, userA);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(low + "\n" + high));
        return Prefix + Convert.ToHexStringLower(hash)[..HexLength];
    }

    /// <summary>Whether <paramref name="roomId"/> is in the reserved DM namespace.</summary>
    public static bool IsReserved(string roomId) => roomId.StartsWith(Prefix, StringComparison.Ordinal);
}
