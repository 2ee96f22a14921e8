namespace RealTimeMessageChat.Contracts.Storage;

/// <summary>
/// Redis key and channel names. The global room keeps the original's stream key
/// <c>send_global_message</c>; other rooms get their own stream so each has its own <c>seq</c>.
/// </summary>
public static class RedisKeys
{
    public const string GlobalStream = "send_global_message";

    /// <summary>Set of every room that has ever had a message, so followers can find the streams.</summary>
    public const string Rooms = "send_global_message:rooms";

    /// <summary>Pub/sub channel the consumer publishes <c>room</c> on after each append: a wake-up, not the data.</summary>
    public const string NotifyChannel = "send_global_message:notify";

    public static string Stream(string room) => room.Length == 0 ? GlobalStream : $"send_global_message:room:{room}";

    /// <summary>The room's last assigned <c>seq</c>.</summary>
    public static string Sequence(string room) => Stream(room) + ":seq";

    /// <summary>Idempotency record: <c>message_id</c> from one sender maps to the seq it got.</summary>
    public static string Dedupe(string senderId, Guid messageId) => $"dedupe:{senderId}:{messageId:D}";

    /// <summary>Presence hash of one user (in the user-status database).</summary>
    public static string UserStatus(string userId) => $"user_status:{userId}";
}
