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
}
