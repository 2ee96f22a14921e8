namespace RealTimeMessageChat.Contracts.Storage;

/// <summary>
/// Redis pub/sub channels of the rooms (issue 8) that carry no stored data. Pub/sub channels are
/// not per database, so the user-status database's index keeps systems that share one Redis apart
/// (as <c>moderation_events:{db}</c> does); on a Redis Cluster a PUBLISH reaches every node.
/// </summary>
public static class RoomChannels
{
    /// <summary>
    /// Typing indicators between MainServers: JSON <c>{"room","user","origin"}</c>, where
    /// <c>origin</c> names the sending connection so its own server does not echo it back.
    /// </summary>
    public static string Typing(int userStatusDatabase) => $"room_typing:{userStatusDatabase}";
}
