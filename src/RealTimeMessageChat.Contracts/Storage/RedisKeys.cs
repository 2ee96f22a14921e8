namespace RealTimeMessageChat.Contracts.Storage;

/// <summary>
/// Redis key and channel names. The global room keeps the original's stream key
/// <c>send_global_message</c>; other rooms get their own stream so each has its own <c>seq</c>.
/// </summary>
/// <remarks>
/// Redis Cluster runs a script only when all its keys hash to one slot, so every key of one
/// room's append (dedupe, sequence, stream) carries the room's hash tag: the part in braces is
/// all the cluster hashes. The global room's tag is <c>{send_global_message}</c>, which hashes
/// exactly like the untagged stream key <c>send_global_message</c>; another room's tag is
/// <c>{&lt;room&gt;}</c>. Keys that span rooms (<see cref="Rooms"/>) are never in a room's script.
/// </remarks>
public static class RedisKeys
{
    public const string GlobalStream = "send_global_message";

    /// <summary>Set of every room that has ever had a message, so followers can find the streams.</summary>
    /// <remarks>Written outside the append script, before a room's first append by a process (it spans rooms).</remarks>
    public const string Rooms = "send_global_message:rooms";

    /// <summary>Pub/sub channel the consumer publishes <c>room</c> on after each append: a wake-up, not the data.</summary>
    public const string NotifyChannel = "send_global_message:notify";

    /// <summary>The room's hash tag, braces included: <c>{send_global_message}</c> or <c>{&lt;room&gt;}</c>.</summary>
    public static string HashTag(string room) => room.Length == 0 ? "{" + GlobalStream + "}" : "{" + room + "}";

    /// <summary><c>send_global_message</c> (global room) or <c>send_global_message:room:{&lt;room&gt;}</c>.</summary>
    public static string Stream(string room) => room.Length == 0 ? GlobalStream : "send_global_message:room:" + HashTag(room);

    /// <summary>The room's last assigned <c>seq</c>: <c>{send_global_message}:seq</c> or <c>send_global_message:room:{&lt;room&gt;}:seq</c>.</summary>
    public static string Sequence(string room) => room.Length == 0 ? HashTag(room) + ":seq" : Stream(room) + ":seq";

    /// <summary>
    /// Idempotency record: <c>message_id</c> from one sender in one room maps to the seq it got.
    /// <c>dedupe:{send_global_message}:&lt;sender&gt;:&lt;id&gt;</c> or <c>dedupe:room:{&lt;room&gt;}:&lt;sender&gt;:&lt;id&gt;</c>
    /// (the <c>room:</c> keeps a room named <c>send_global_message</c> apart from the global room).
    /// </summary>
    public static string Dedupe(string room, string senderId, Guid messageId) =>
        (room.Length == 0 ? "dedupe:" : "dedupe:room:") + HashTag(room) + ":" + senderId + ":" + messageId.ToString("D");

    /// <summary>Presence hash of one user (in the user-status database); untagged, so it hashes as a whole.</summary>
    public static string UserStatus(string userId) => $"user_status:{userId}";
}
