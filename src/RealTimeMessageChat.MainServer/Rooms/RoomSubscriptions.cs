using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Rooms;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Networking;
using RealTimeMessageChat.MainServer.Options;

namespace RealTimeMessageChat.MainServer.Rooms;

/// <summary>
/// The room commands of an account connection (issue 8): <c>join</c> (and each room of the
/// handshake), <c>leave</c>, <c>typing</c> and <c>read</c>, plus the membership changes announced
/// over the control channel. A refusal is an error frame naming the room (<c>sub_id</c>); the
/// connection stays. Receive-only C++ toolkit guests have none of these.
/// </summary>
internal sealed partial class RoomSubscriptions(
    RoomDirectory rooms,
    IRoomMembership membership,
    TypingService typing,
    ReadReceiptWriter reads,
    IOptions<MainServerOptions> options,
    MainServerMetrics metrics,
    ILogger<RoomSubscriptions> logger)
{
    private readonly int _maxRooms = options.Value.MaxRoomsPerConnection;
    private readonly TimeSpan _checkTimeout = TimeSpan.FromSeconds(options.Value.HandshakeTimeoutSeconds);

    /// <summary>
    /// <c>join</c>: a member is subscribed from after <paramref name="lastSeq"/> (same rules as the
    /// handshake's: beyond the newest means the newest, absent means live only) and answered
    /// <c>joined</c> with the room's newest seq; a second join of a room already received only
    /// repeats the answer.
    /// </summary>
    public async ValueTask JoinAsync(ClientConnection connection, string? room, long? lastSeq)
    {
        if (RefuseRoom(connection, room) || room is null)
        {
            return;
        }

        if (lastSeq is < 0)
        {
            Refuse(connection, room, "last_seq must be 0 or more");
            return;
        }

        if (room.Length == 0 || connection.Delivery.IsSubscribed(room))
        {
            SendReply(connection, ChatCommands.Joined, room, rooms.Head(room));
            return;
        }

        if (connection.Delivery.RoomCount >= _maxRooms)
        {
            Refuse(connection, room, $"already in {_maxRooms} rooms (max_rooms_per_connection)");
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_checkTimeout);
            if (!await membership.IsMemberAsync(room, connection.UserId!, timeout.Token))
            {
                Refuse(connection, room, $"not a member of room \"{room}\"");
                return;
            }

            await SubscribeAsync(connection, room, lastSeq, timeout.Token);
        }
        catch (Exception ex) when (ex is MessageLogException or OperationCanceledException or Npgsql.NpgsqlException or TimeoutException)
        {
            LogJoinFailed(logger, connection.Id, room, ex.Message);
            Refuse(connection, room, "room unavailable, try again");
        }
    }

    /// <summary><c>leave</c>: stops the room's frames and answers <c>left</c> with its newest seq; the membership stays (leaving the room itself is the HTTP API's).</summary>
    public void Leave(ClientConnection connection, string? room)
    {
        if (RefuseRoom(connection, room) || room is null)
        {
            return;
        }

        if (room.Length == 0)
        {
            Refuse(connection, room, "the global room cannot be left");
            return;
        }

        if (!rooms.Unsubscribe(connection.Delivery, room, head => SendReply(connection, ChatCommands.Left, room, head)))
        {
            Refuse(connection, room, $"not in room \"{room}\"");
        }
    }

    /// <summary><c>typing</c>: relayed to the room's other sessions when the sender receives the room; never in the global room.</summary>
    public void Typing(ClientConnection connection, string? room)
    {
        if (RefuseRoom(connection, room) || room is null)
        {
            return;
        }

        if (room.Length == 0)
        {
            // Everyone is in it: one indicator would be a frame to every client of every server.
            Refuse(connection, room, "typing is for rooms, not the global room");
            return;
        }

        if (!connection.Delivery.IsSubscribed(room))
        {
            Refuse(connection, room, $"not in room \"{room}\"");
            return;
        }

        typing.Publish(room, connection.UserId!, connection.Id);
    }

    /// <summary><c>read</c>: queued for <see cref="IReadReceipts"/>, the seq capped at the room's newest this server knows; no answer.</summary>
    public void Read(ClientConnection connection, string? room, long? seq)
    {
        if (RefuseRoom(connection, room) || room is null)
        {
            return;
        }

        if (seq is not long value || value < 0)
        {
            Refuse(connection, room, "read needs a seq of 0 or more");
            return;
        }

        if (room.Length != 0 && !connection.Delivery.IsSubscribed(room))
        {
            Refuse(connection, room, $"not in room \"{room}\"");
            return;
        }

        reads.Enqueue(room, connection.UserId!, Math.Min(value, rooms.Head(room)));
    }

    /// <summary>The user became a member (announced): the connection receives the room after <paramref name="afterSeq"/> (the seq read before the membership was stored; null: from the newest), told by <c>joined</c>.</summary>
    public async Task AddedAsync(ClientConnection connection, string room, long? afterSeq)
    {
        if (connection.Delivery.IsSubscribed(room) || connection.Delivery.RoomCount >= _maxRooms)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_checkTimeout);
            await SubscribeAsync(connection, room, afterSeq, timeout.Token);
        }
        catch (Exception ex) when (ex is MessageLogException or OperationCanceledException)
        {
            LogJoinFailed(logger, connection.Id, room, ex.Message);
        }
    }

    /// <summary>The user is no longer a member: the room's frames stop and the client gets <c>room_left</c>.</summary>
    public void Removed(ClientConnection connection, string room, string reason)
    {
        rooms.Unsubscribe(connection.Delivery, room, _ =>
            connection.Send(Encode(connection, new RoomLeftFrame { SubId = room, Reason = reason }, ContractsJsonContext.Default.RoomLeftFrame)));
    }

    /// <summary>Whether the user is still a member of <paramref name="room"/> (re-checks after the control channel was lost).</summary>
    public ValueTask<bool> IsMemberAsync(ClientConnection connection, string room, CancellationToken cancellationToken) =>
        membership.IsMemberAsync(room, connection.UserId!, cancellationToken);

    private async ValueTask SubscribeAsync(ClientConnection connection, string room, long? lastSeq, CancellationToken cancellationToken)
    {
        long? head = await rooms.SubscribeAsync(connection.Delivery, room, lastSeq, h => SendReply(connection, ChatCommands.Joined, room, h), cancellationToken);
        if (head is not null)
        {
            LogJoined(logger, connection.Id, connection.UserId, room, head.Value, lastSeq is not null);
        }
    }

    /// <summary>Refuses a guest, a missing or malformed room id; true when it did.</summary>
    private bool RefuseRoom(ClientConnection connection, string? room)
    {
        if (connection.IsGuest)
        {
            Refuse(connection, room, "C++ toolkit guests receive the global room only");
            return true;
        }

        if (room is null)
        {
            Refuse(connection, null, "sub_id (the room) is missing");
            return true;
        }

        if (room.Length != 0 && !MessageRules.IsValidUserId(room))
        {
            Refuse(connection, null, "sub_id is not a room id ([A-Za-z0-9_-]{1,64})");
            return true;
        }

        return false;
    }

    private void Refuse(ClientConnection connection, string? room, string message)
    {
        metrics.ProtocolError();
        LogRefused(logger, connection.Id, room, message);
        connection.Send(Encode(connection, new ErrorFrame { Message = message, SubId = room }, ContractsJsonContext.Default.ErrorFrame));
    }

    private static void SendReply(ClientConnection connection, string command, string room, long head) =>
        connection.Send(Encode(connection, new RoomReply { Command = command, SubId = room, Seq = head }, ContractsJsonContext.Default.RoomReply));

    private static byte[] Encode<T>(ClientConnection connection, T frame, JsonTypeInfo<T> typeInfo) =>
        connection.Codec.Encode(TcpFrameJson.Serialize(frame, typeInfo));

    [LoggerMessage(EventId = 2730, Level = LogLevel.Debug, Message = "Connection {ConnectionId} ({UserId}) receives room {Room} from seq {Head} (last_seq sent: {HasLastSeq})")]
    private static partial void LogJoined(ILogger logger, long connectionId, string? userId, string room, long head, bool hasLastSeq);

    [LoggerMessage(EventId = 2731, Level = LogLevel.Debug, Message = "Connection {ConnectionId} room command refused (room {Room}): {Reason}")]
    private static partial void LogRefused(ILogger logger, long connectionId, string? room, string reason);

    [LoggerMessage(EventId = 2732, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: subscribing to room {Room} failed: {Reason}")]
    private static partial void LogJoinFailed(ILogger logger, long connectionId, string room, string reason);
}
