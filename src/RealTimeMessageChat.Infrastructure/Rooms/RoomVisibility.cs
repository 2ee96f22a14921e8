namespace RealTimeMessageChat.Infrastructure.Rooms;

/// <summary>The values of <c>rooms.visibility</c> (V5's check constraint).</summary>
public static class RoomVisibility
{
    /// <summary>Anyone may join.</summary>
    public const string Public = "public";

    /// <summary>The owner or an admin adds members.</summary>
    public const string Private = "private";

    /// <summary>A direct-message thread: exactly its two users, fixed.</summary>
    public const string Direct = "direct";
}
