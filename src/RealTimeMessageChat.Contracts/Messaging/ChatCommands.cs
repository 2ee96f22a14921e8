namespace RealTimeMessageChat.Contracts.Messaging;

/// <summary>The <c>command</c> strings of the queue body and of TCP frames, spelt as on the wire.</summary>
public static class ChatCommands
{
    public const string Connection = "connection";
    public const string SendBroadcastMessage = "send_broadcast_message";
    public const string RequestClientStatusUpdate = "request_client_status_update";

    /// <summary>The original's spelling, kept on the wire.</summary>
    public const string UpdateUserClientStatus = "update_user_clinet_status";
    public const string HeartbeatPing = "heartbeat:ping";
    public const string HeartbeatPong = "heartbeat:pong";
    public const string Error = "error";

    /// <summary>Server to client: a user came online, went offline or changed their status text.</summary>
    public const string UserStatus = "user_status";

    /// <summary>Server to client: seqs from_seq..to_seq of a room are in neither store (<c>recovered: false</c>).</summary>
    public const string Recovery = "recovery";

    /// <summary>Client to server: receive a room (issue 8); answered <c>joined</c>.</summary>
    public const string Join = "join";

    /// <summary>Client to server: stop receiving a room; answered <c>left</c>.</summary>
    public const string Leave = "leave";

    public const string Joined = "joined";

    public const string Left = "left";

    /// <summary>Server to client: the user is no longer a member of the room.</summary>
    public const string RoomLeft = "room_left";

    /// <summary>Both ways: a member is typing in a room.</summary>
    public const string Typing = "typing";

    /// <summary>Client to server: the user has read a room up to a seq.</summary>
    public const string Read = "read";
}
