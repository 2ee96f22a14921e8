using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Options;
using RealTimeMessageChat.MainServer.Presence;
using RealTimeMessageChat.MainServer.Rooms;
using RealTimeMessageChat.Protocol;
using RealTimeMessageChat.Protocol.Toolkit;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// The client's commands: the <c>connection</c> handshake, status, heartbeats, the room commands
/// (<see cref="RoomSubscriptions"/>), and the error frame for anything else. One instance for every connection; the transport only hands frames in.
/// </summary>
internal sealed partial class CommandHandler(
    IOptions<MainServerOptions> options,
    JwtTokenService tokens,
    RoomDirectory rooms,
    PresenceWriter presence,
    ISessionStore sessions,
    SessionRevoker revoker,
    RoomSubscriptions roomCommands,
    MainServerMetrics metrics,
    ILogger<CommandHandler> logger)
{
    public static readonly byte[] PingFrame = EncodeStatic(new CommandFrame { Command = ChatCommands.HeartbeatPing });
    private static readonly byte[] PongFrame = EncodeStatic(new CommandFrame { Command = ChatCommands.HeartbeatPong });

    /// <summary>The C++ toolkit's heartbeat: the plain string in a Message frame, answered by its prefix.</summary>
    public static readonly byte[] ToolkitPingFrame = ToolkitFrameCodec.Encode(ToolkitMode.Message, ToolkitMessages.HeartbeatPingUtf8);
    private static readonly byte[] ToolkitPongFrame = ToolkitFrameCodec.Encode(ToolkitMode.Message, ToolkitMessages.HeartbeatPongUtf8);

    private readonly TimeSpan _handshakeTimeout = TimeSpan.FromSeconds(options.Value.HandshakeTimeoutSeconds);

    public MainServerMetrics Metrics => metrics;

    /// <summary>Handles one frame; false means "close the connection after what is queued".</summary>
    public ValueTask<bool> HandleAsync(ClientConnection connection, InboundFrame frame)
    {
        if (!connection.IsAuthenticated)
        {
            if (frame.Command != ChatCommands.Connection)
            {
                metrics.ProtocolError();
                LogProtocolError(logger, connection.Id, "command before connection");
                connection.Send(EncodeError(connection, "The first frame must be \"connection\"."));
                connection.RequestClose("command before connection");
                return ValueTask.FromResult(false);
            }

            return frame.Toolkit is { } toolkit
                ? ToolkitHandshakeAsync(connection, toolkit)
                : HandshakeAsync(connection, frame.Connect!);
        }

        switch (frame.Command)
        {
            case ChatCommands.HeartbeatPing:
                connection.Send(connection.Toolkit is null ? PongFrame : ToolkitPongFrame);
                break;
            case ChatCommands.HeartbeatPong:
                break;
            case ChatCommands.RequestClientStatusUpdate:
                UpdateStatus(connection, frame.Status?.Message ?? string.Empty);
                break;
            case ChatCommands.Connection:
                RejectCommand(connection, "already connected", "Already connected.");
                break;
            case ChatCommands.Join:
                // Awaited, so the room commands of one connection take effect in the order sent.
                return JoinAsync(connection, frame.Room!);
            case ChatCommands.Leave:
                roomCommands.Leave(connection, frame.Room!.SubId);
                break;
            case ChatCommands.Typing:
                roomCommands.Typing(connection, frame.Room!.SubId);
                break;
            case ChatCommands.Read:
                roomCommands.Read(connection, frame.Room!.SubId, frame.Room.Seq);
                break;
            case ChatCommands.SendBroadcastMessage:
                RejectCommand(connection, "client broadcast", "Clients cannot broadcast over TCP: publish through POST /publishMessage.");
                break;
            default:
                RejectCommand(connection, "unknown command", $"Unknown command \"{Truncate(frame.Command)}\".");
                break;
        }

        return ValueTask.FromResult(true);
    }

    /// <summary>A frame that can never be valid: answer with an error where possible, then close.</summary>
    public void RejectBadFrame(ClientConnection connection, string message)
    {
        metrics.ProtocolError();
        LogBadFrame(logger, connection.Id, message);
        connection.Send(EncodeError(connection, message));
        connection.RequestClose("bad frame");
    }

    public void RejectHandshakeTimeout(ClientConnection connection)
    {
        metrics.ProtocolError();
        LogHandshakeRejected(logger, connection.Id, "handshake timeout");
        connection.Send(connection.Toolkit is null
            ? Encode(connection, new ConnectResponse { Condition = false, Error = "handshake timeout" }, ContractsJsonContext.Default.ConnectResponse)
            : ToolkitFrameCodec.Encode(ToolkitMode.Connection, ToolkitReplies.Connection(string.Empty, string.Empty, condition: false)));
        connection.RequestClose("handshake timeout");
    }

    /// <summary>The connection has ended: leave the rooms, queue the offline write.</summary>
    public void OnClosed(ClientConnection connection)
    {
        revoker.Untrack(connection);
        if (connection.IsAuthenticated)
        {
            rooms.Leave(connection.Delivery);
            if (connection.IsGuest)
            {
                metrics.GuestClosed();
            }
            else
            {
                presence.Offline(connection.UserId!, connection.SessionId!);
            }
        }
    }

    private async ValueTask<bool> HandshakeAsync(ClientConnection connection, ConnectRequest request)
    {
        if (string.IsNullOrEmpty(request.Id))
        {
            return RejectHandshake(connection, "missing id");
        }

        // A last_seq beyond the newest is taken as the newest (live from there); a negative one is
        // no position at all.
        if (request.LastSeq is < 0)
        {
            return RejectHandshake(connection, "last_seq must be 0 or more");
        }

        TokenCheck check = await tokens.ValidateAsync(request.Token);
        if (!check.IsValid)
        {
            return RejectHandshake(connection, check.Error ?? "invalid token");
        }

        if (!string.Equals(check.UserId, request.Id, StringComparison.Ordinal))
        {
            return RejectHandshake(connection, "token does not belong to this id");
        }

        if (string.IsNullOrEmpty(check.TokenId))
        {
            return RejectHandshake(connection, "token names no session");
        }

        // Tracked before the check, so an end announced after the check finds this connection.
        revoker.Track(connection, request.Id, check.TokenId);
        if (await SessionLiveAsync(connection, check.TokenId) is { } refusal)
        {
            revoker.Untrack(connection);
            return RejectHandshake(connection, refusal);
        }

        if (!await RoomsReadyAsync())
        {
            return RejectHandshake(connection, "server not ready");
        }

        // The newest seq this server knows is its ring's head: no Redis round trip per connect.
        // Messages the log already has beyond it reach the ring (and this client) through the feed.
        long newest = rooms.Head(RoomDirectory.GlobalRoom);
        long start = request.LastSeq is long lastSeq ? Math.Clamp(lastSeq, 0, newest) : newest;
        string sessionId = Guid.NewGuid().ToString("N");
        var reply = new ConnectResponse
        {
            Id = request.Id,
            SubId = sessionId,
            Condition = true,
            Key = string.Empty,
            Iv = string.Empty,
            EncryptMode = false,
            LastSeq = newest,
        };

        if (connection.CloseReason is not null)
        {
            return false; // ended while the handshake ran: the error frame is on its way
        }

        // The reply is queued before the client joins a room, so it precedes every broadcast.
        connection.Send(Encode(connection, reply, ContractsJsonContext.Default.ConnectResponse));
        connection.MarkAuthenticated(request.Id, sessionId);
        rooms.Join(connection.Delivery, start);
        presence.Online(request.Id, sessionId);
        LogAuthenticated(logger, connection.Id, request.Id, sessionId, start, request.LastSeq is not null);

        // Each room is answered on its own (joined, or an error frame naming it): one room the user
        // may not read does not cost the others, nor the connection.
        foreach (RoomRequest? room in (request.Rooms ?? []).DistinctBy(r => r?.SubId, StringComparer.Ordinal))
        {
            await roomCommands.JoinAsync(connection, room?.SubId, room?.LastSeq);
        }

        return true;
    }

    private async ValueTask<bool> JoinAsync(ClientConnection connection, RoomCommandRequest request)
    {
        await roomCommands.JoinAsync(connection, request.SubId, request.LastSeq);
        return true;
    }

    /// <summary>
    /// The original C++ UserClient's handshake (shared/legacy-toolkit/WIRE.md): no token, the shared
    /// <c>registered_key</c> instead; answered in a toolkit Connection frame exactly as the original
    /// server answers (<c>key</c>, <c>iv</c> and <c>encrypt_mode</c> must be there, or the client
    /// never confirms). Such a session is a receive-only guest of the global room: it has no account,
    /// writes no presence, and is counted apart (<c>rtmc.mainserver.guests.current</c>).
    /// </summary>
    private async ValueTask<bool> ToolkitHandshakeAsync(ClientConnection connection, ToolkitConnect request)
    {
        MainServerOptions o = options.Value;
        if (!o.LegacyToolkitClients)
        {
            return RejectToolkitHandshake(connection, request, "C++ toolkit clients are turned off (legacy_toolkit_clients)");
        }

        if (string.IsNullOrEmpty(request.Id))
        {
            return RejectToolkitHandshake(connection, request, "missing id");
        }

        if (!string.Equals(request.RegisteredKey, o.LegacyRegisteredKey, StringComparison.Ordinal))
        {
            return RejectToolkitHandshake(connection, request, "wrong registered_key");
        }

        if (!await RoomsReadyAsync())
        {
            return RejectToolkitHandshake(connection, request, "server not ready");
        }

        // A reconnect carries its previous session id: welcome it back under the same one.
        bool returning = ToolkitSessionIds.IsWellFormed(request.SubId);
        string sessionId = returning ? request.SubId : ToolkitSessionIds.Create();
        connection.Send(ToolkitFrameCodec.Encode(ToolkitMode.Connection, ToolkitReplies.Connection(request.Id, sessionId, condition: true)));
        connection.MarkAuthenticated(request.Id, sessionId);
        rooms.Join(connection.Delivery, rooms.Head(RoomDirectory.GlobalRoom));
        metrics.GuestConnected();
        LogToolkitGuest(logger, connection.Id, request.Id, sessionId, returning);
        return true;
    }

    /// <summary>Null when the login session is still there; else why the handshake is refused.</summary>
    private async ValueTask<string?> SessionLiveAsync(ClientConnection connection, string tokenId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_handshakeTimeout);
            return await sessions.ExistsAsync(tokenId, timeout.Token) ? null : "session ended";
        }
        catch (Exception ex) when (ex is MessageLogException or OperationCanceledException)
        {
            LogSessionCheckFailed(logger, connection.Id, ex.Message);
            return "session check unavailable";
        }
    }

    /// <summary>Waits (up to the handshake timeout) for the feed's start positions; false when they did not come.</summary>
    private async ValueTask<bool> RoomsReadyAsync()
    {
        if (rooms.IsReady)
        {
            return true;
        }

        try
        {
            await rooms.Ready.WaitAsync(_handshakeTimeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

        private bool RejectToolkitHandshake(ClientConnection connection, ToolkitConnect request, string reason)
    {
        metrics.ProtocolError();
        LogHandshakeRejected(logger, connection.Id, "C++ toolkit client: " + reason);
        connection.Send(ToolkitFrameCodec.Encode(ToolkitMode.Connection, ToolkitReplies.Connection(request.Id, request.SubId, condition: false)));
        connection.RequestClose($"handshake rejected: {reason}");
        return false;
    }

    private void UpdateStatus(ClientConnection connection, string status)
    {
        byte[] reply;
        try
        {
            reply = Encode(connection, new StatusUpdateResponse { Message = status }, ContractsJsonContext.Default.StatusUpdateResponse);
        }
        catch (ArgumentOutOfRangeException)
        {
            // JSON escaping can make the echo longer than the request; keep the frame limit.
            RejectCommand(connection, "status too long", "Status message too long.");
            return;
        }

        connection.Send(reply);
        if (!connection.IsGuest)
        {
            presence.Status(connection.UserId!, status);
        }
    }

    private bool RejectHandshake(ClientConnection connection, string reason)
    {
        metrics.ProtocolError();
        LogHandshakeRejected(logger, connection.Id, reason);
        connection.Send(Encode(connection, new ConnectResponse { Condition = false, Error = reason }, ContractsJsonContext.Default.ConnectResponse));
        connection.RequestClose($"handshake rejected: {reason}");
        return false;
    }

    private void RejectCommand(ClientConnection connection, string kind, string message)
    {
        metrics.ProtocolError();
        LogProtocolError(logger, connection.Id, kind);
        connection.Send(EncodeError(connection, message));
    }

    private static byte[] EncodeError(ClientConnection connection, string message) =>
        Encode(connection, new ErrorFrame { Message = message }, ContractsJsonContext.Default.ErrorFrame);

    private static byte[] Encode<T>(ClientConnection connection, T frame, JsonTypeInfo<T> typeInfo) =>
        connection.Codec.Encode(TcpFrameJson.Serialize(frame, typeInfo));

    private static byte[] EncodeStatic(CommandFrame frame) =>
        FrameCodec.Encode(TcpFrameJson.Serialize(frame, ContractsJsonContext.Default.CommandFrame));

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";

    [LoggerMessage(EventId = 2200, Level = LogLevel.Debug, Message = "Connection {ConnectionId} authenticated as {UserId}, session {SessionId}, delivering after seq {StartSeq} (client sent last_seq: {HasLastSeq})")]
    private static partial void LogAuthenticated(ILogger logger, long connectionId, string userId, string sessionId, long startSeq, bool hasLastSeq);

    // Information, not Warning: any client can cause these before it has authenticated, and the
    // log is not theirs to fill (issue 9). Counted by the protocol-error metric either way.
    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Connection {ConnectionId} handshake rejected: {Reason}")]
    private static partial void LogHandshakeRejected(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Connection {ConnectionId} sent a bad frame: {Reason}")]
    private static partial void LogBadFrame(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Information, Message = "Connection {ConnectionId}: C++ toolkit client {ClientTitle} admitted as a receive-only guest, session {SessionId} (returning: {Returning})")]
    private static partial void LogToolkitGuest(ILogger logger, long connectionId, string clientTitle, string sessionId, bool returning);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: the session store failed: {Reason}")]
    private static partial void LogSessionCheckFailed(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Debug, Message = "Connection {ConnectionId} protocol error: {Kind}")]
    private static partial void LogProtocolError(ILogger logger, long connectionId, string kind);
}
