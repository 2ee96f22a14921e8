using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Infrastructure.Security;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>The <c>connection</c> handshake and the commands of an authenticated client.</summary>
internal sealed partial class ClientConnection
{
    private static readonly byte[] PongFrame = EncodeStatic(new CommandFrame { Command = ChatCommands.HeartbeatPong });
    private static readonly byte[] PingFrame = EncodeStatic(new CommandFrame { Command = ChatCommands.HeartbeatPing });

    private volatile bool _authenticated;
    private Task _presenceOnline = Task.CompletedTask;

    public string? UserId { get; private set; }

    public string? SessionId { get; private set; }

    public bool IsAuthenticated => _authenticated;

    /// <summary>Handles one frame; false means "close the connection after what is queued".</summary>
    private async ValueTask<bool> HandleFrameAsync(InboundFrame frame)
    {
        if (!_authenticated)
        {
            if (frame.Command != ChatCommands.Connection)
            {
                _services.Metrics.ProtocolError();
                LogProtocolError(_logger, Id, "command before connection");
                TrySendError("The first frame must be \"connection\".");
                SetCloseReason("command before connection");
                return false;
            }

            return await HandshakeAsync(frame.Connect!);
        }

        switch (frame.Command)
        {
            case ChatCommands.HeartbeatPing:
                await SendControlAsync(PongFrame);
                break;
            case ChatCommands.HeartbeatPong:
                break;
            case ChatCommands.RequestClientStatusUpdate:
                string status = frame.Status?.Message ?? string.Empty;
                byte[] reply;
                try
                {
                    reply = Encode(new StatusUpdateResponse { Message = status }, ContractsJsonContext.Default.StatusUpdateResponse);
                }
                catch (ArgumentOutOfRangeException)
                {
                    // JSON escaping can make the echo longer than the request; keep the frame limit.
                    RecordCommandError("status too long");
                    await SendControlAsync(EncodeError("Status message too long."));
                    break;
                }

                await SendControlAsync(reply);
                _ = RunPresenceAsync("status", () => _services.Presence.SetStatusAsync(UserId!, status, CancellationToken.None));
                break;
            case ChatCommands.Connection:
                RecordCommandError("already connected");
                await SendControlAsync(EncodeError("Already connected."));
                break;
            case ChatCommands.SendBroadcastMessage:
                RecordCommandError("client broadcast");
                await SendControlAsync(EncodeError("Clients cannot broadcast over TCP: publish through POST /publishMessage."));
                break;
            default:
                RecordCommandError("unknown command");
                await SendControlAsync(EncodeError($"Unknown command \"{Truncate(frame.Command)}\"."));
                break;
        }

        return true;
    }

    private async ValueTask<bool> HandshakeAsync(ConnectRequest request)
    {
        if (string.IsNullOrEmpty(request.Id))
        {
            return RejectHandshake("missing id");
        }

        TokenCheck check = await _services.Tokens.ValidateAsync(request.Token);
        if (!check.IsValid)
        {
            return RejectHandshake(check.Error ?? "invalid token");
        }

        if (!string.Equals(check.UserId, request.Id, StringComparison.Ordinal))
        {
            return RejectHandshake("token does not belong to this id");
        }

        if (!_services.Cursors.IsReady)
        {
            try
            {
                await _services.Cursors.Ready.WaitAsync(TimeSpan.FromSeconds(_options.HandshakeTimeoutSeconds), _cts.Token);
            }
            catch (TimeoutException)
            {
                return RejectHandshake("server not ready");
            }
        }

        const string GlobalRoom = "";
        long newest = _services.Cursors.Get(GlobalRoom);
        try
        {
            newest = Math.Max(newest, await _services.MessageLog.GetLastSeqAsync(GlobalRoom, _cts.Token));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRedisReadFailed(_logger, ex, Id);
        }

        // Without last_seq the client starts after the newest seq it is told about in the reply
        // (the log's, which can be ahead of the feed's cursor: the feed's copies of those are then
        // duplicates and ignored). A client claiming more than exists gets everything after the newest.
        long start = request.LastSeq is long lastSeq ? Math.Clamp(lastSeq, 0, newest) : newest;
        if (request.LastSeq is not null)
        {
            await WarnWhenBeyondRetentionAsync(GlobalRoom, start);
        }

        UserId = request.Id;
        SessionId = Guid.NewGuid().ToString("N");
        var reply = new ConnectResponse
        {
            Id = request.Id,
            SubId = SessionId,
            Condition = true,
            Key = string.Empty,
            Iv = string.Empty,
            EncryptMode = false,
            LastSeq = newest,
        };

        // The reply is queued before delivery starts, so it precedes every replayed or live frame.
        if (!TrySend(Encode(reply, ContractsJsonContext.Default.ConnectResponse)))
        {
            return false;
        }

        _authenticated = true;
        StartDelivery(GlobalRoom, start);
        _presenceOnline = RunPresenceAsync("online", () => _services.Presence.SetOnlineAsync(UserId, _services.ServerId, SessionId, CancellationToken.None));
        LogAuthenticated(_logger, Id, UserId, SessionId, start, request.LastSeq is not null);
        return true;
    }

    private async Task WarnWhenBeyondRetentionAsync(string room, long start)
    {
        try
        {
            long? first = await _services.MessageLog.GetFirstRetainedSeqAsync(room, _cts.Token);
            if (first is long oldest && oldest > start + 1)
            {
                // The history before the retained stream lives in PostgreSQL; replay starts at what Redis holds.
                LogReplayBeyondRetention(_logger, Id, start, oldest);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRedisReadFailed(_logger, ex, Id);
        }
    }

    private bool RejectHandshake(string reason)
    {
        _services.Metrics.ProtocolError();
        LogHandshakeRejected(_logger, Id, reason);
        TrySend(Encode(new ConnectResponse { Condition = false, Error = reason }, ContractsJsonContext.Default.ConnectResponse));
        SetCloseReason($"handshake rejected: {reason}");
        return false;
    }

    private void RejectBadFrame(string message)
    {
        _services.Metrics.ProtocolError();
        LogBadFrame(_logger, Id, message);
        TrySendError(message);
        SetCloseReason("bad frame");
    }

    private void RecordCommandError(string kind)
    {
        _services.Metrics.ProtocolError();
        LogProtocolError(_logger, Id, kind);
    }

    private void TrySendError(string message) => TrySend(EncodeError(message));

    /// <summary>
    /// Replies on the read loop. A full queue disconnects the client (CONTRACT.md); with the
    /// catch_up policy the read loop waits instead, which only slows this client's own input.
    /// </summary>
    private async ValueTask SendControlAsync(byte[] frame)
    {
        if (TrySend(frame) || !_catchUpWhenSlow || IsClosing)
        {
            return;
        }

        await _outbound.Writer.WriteAsync(frame, _cts.Token);
    }

    private async Task RunPresenceAsync(string what, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            // Presence is advisory: a Redis hiccup must never cost the client its connection.
            LogPresenceFailed(_logger, ex, Id, what);
        }
    }

    private async Task MarkOfflineAsync()
    {
        if (!_authenticated)
        {
            return;
        }

        await _presenceOnline;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await RunPresenceAsync("offline", () => _services.Presence.SetOfflineAsync(UserId!, SessionId!, timeout.Token));
    }

    private byte[] EncodeError(string message) => Encode(new ErrorFrame { Message = message }, ContractsJsonContext.Default.ErrorFrame);

    private byte[] Encode<T>(T frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        _codec.Encode(TcpFrameJson.Serialize(frame, typeInfo));

    private static byte[] EncodeStatic(CommandFrame frame) =>
        Protocol.FrameCodec.Encode(TcpFrameJson.Serialize(frame, ContractsJsonContext.Default.CommandFrame));

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
