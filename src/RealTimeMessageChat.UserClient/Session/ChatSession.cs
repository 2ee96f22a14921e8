using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.UserClient.Api;
using RealTimeMessageChat.UserClient.Console;
using RealTimeMessageChat.UserClient.Networking;
using RealTimeMessageChat.UserClient.Options;

namespace RealTimeMessageChat.UserClient.Session;

/// <summary>
/// The client's life: log in, connect, print broadcasts, send typed lines, and on any disconnect
/// reconnect with backoff, resuming after the last printed seq so nothing is missed or doubled.
/// </summary>
/// <remarks>
/// Rooms (issue 8): the rooms joined are kept here and asked for again in every handshake, each
/// with its own <c>last_seq</c> (<see cref="SeqTracker.ResumeAfter(string)"/>); the room typed lines go
/// to is <c>/room</c>'s. The rest is in ChatSession.Rooms.cs.
/// </remarks>
internal sealed partial class ChatSession(UserClientOptions options, ChatApiClient api, IChatOutput output, ILogger<ChatSession> logger)
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;

    /// <summary>The server ended this login session (logout elsewhere, ended from the session list, a ban).</summary>
    public const int ExitSessionEnded = 3;

    /// <summary>How the MainServer words an ended session: the error frame's <c>session ended: &lt;reason&gt;</c>, the handshake's <c>session ended</c>.</summary>
    private const string SessionEndedPrefix = "session ended";

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly SeqTracker _seqs = new(options.LastSeq);
    private readonly ClientTls? _tls = ClientTls.From(options);
    private volatile ChatConnection? _connection;
    private volatile string _sessionId = string.Empty;
    private volatile string? _sessionEnded;

    public SeqTracker Seqs => _seqs;

    /// <summary>Runs until <c>/quit</c> or cancellation (exit 0), a refusal that retrying cannot fix (exit 1), or the server ending the session (exit 3).</summary>
    public async Task<int> RunAsync(ChannelReader<string> input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task inputTask = ProcessInputAsync(input, stop);
        try
        {
            return await ConnectLoopAsync(stop.Token);
        }
        finally
        {
            await stop.CancelAsync();
            await inputTask;
        }
    }

    private async Task<int> ConnectLoopAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay = options.ReconnectInterval;
        bool registered = !options.Register;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!registered)
                {
                    await api.RegisterAsync(cancellationToken);
                    registered = true;
                }

                if (await RunConnectionAsync(cancellationToken))
                {
                    delay = options.ReconnectInterval;
                }

                // Reconnecting (or logging in again) would undo what whoever ended it wanted.
                if (_sessionEnded is { } ended)
                {
                    output.WriteStatus($"The server ended this session ({ended}); not reconnecting. Log in again to continue.");
                    LogFatal(logger, ended);
                    return ExitSessionEnded;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                output.WriteStatus($"Disconnected from {options.ServerHost}:{options.ServerPort}; reconnecting in {delay.TotalSeconds:0.##} s.");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ChatApiException ex) when (!ex.IsTransient)
            {
                output.WriteStatus($"Error: {ex.Message}");
                LogFatal(logger, ex.Message);
                return ExitFailed;
            }
            catch (ServerCertificateRejectedException ex)
            {
                // Never connect to a server that cannot prove who it is; retrying would not change that.
                output.WriteStatus($"Error: {ex.Message}");
                LogFatal(logger, ex.Message);
                return ExitFailed;
            }
            catch (Exception ex)
            {
                output.WriteStatus($"Connection failed ({ex.Message}); retrying in {delay.TotalSeconds:0.##} s.");
                LogConnectionFailed(logger, ex.GetType().Name, ex.Message);
            }

            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Math.Max(MaxReconnectDelay.Ticks, options.ReconnectInterval.Ticks)));
        }

        LogStopped(logger);
        return ExitOk;
    }

    /// <summary>One TCP session. True when the handshake succeeded (the backoff starts over).</summary>
    private async Task<bool> RunConnectionAsync(CancellationToken cancellationToken)
    {
        string token = await api.EnsureTokenAsync(cancellationToken);
        await using ChatConnection connection = await ChatConnection.ConnectAsync(
            options.ServerHost, options.ServerPort, _tls, HandshakeTimeout, options.MaxFrameBytes, options.SendQueueCapacity, logger, cancellationToken);

        long? resumeAfter = _seqs.ResumeAfter();
        var request = new ConnectRequest
        {
            Command = ChatCommands.Connection,
            Id = api.UserId,
            Token = token,
            SubId = string.Empty,
            LastSeq = resumeAfter,
            Rooms = HandshakeRooms(),
        };
        ConnectResponse response;
        try
        {
            response = await connection.HandshakeAsync(request, HandshakeTimeout, cancellationToken);
        }
        catch (ConnectionRejectedException ex)
        {
            // An expired token, or a session gone while we were away (ended elsewhere, or Redis lost
            // its data): log in again before the next attempt, never retry the dead token.
            api.InvalidateToken(token);
            if (ex.Message.StartsWith(SessionEndedPrefix, StringComparison.Ordinal))
            {
                output.WriteStatus("The server no longer knows this session; logging in again.");
            }

            throw;
        }

        if (resumeAfter is null && response.LastSeq is { } newest)
        {
            _seqs.ObserveServerNewest(newest);
        }

        _sessionId = response.SubId ?? string.Empty;

        // Before the status line: a command typed once "Connected" shows goes on this connection.
        _connection = connection;
        LogConnected(logger, options.ServerHost, options.ServerPort, _sessionId, resumeAfter);
        string over = _tls is null ? string.Empty : " over TLS";
        output.WriteStatus(resumeAfter is { } after
            ? $"Connected to {options.ServerHost}:{options.ServerPort}{over} as {api.UserId} (resuming after seq {after})."
            : $"Connected to {options.ServerHost}:{options.ServerPort}{over} as {api.UserId}.");

        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task heartbeat = HeartbeatLoopAsync(connection, heartbeatStop.Token);
        Task reads = ReadReceiptLoopAsync(connection, heartbeatStop.Token);
        try
        {
            await connection.RunAsync((command, root) => OnFrame(connection, command, root), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _connection = null;
            await heartbeatStop.CancelAsync();
            await heartbeat;
            await reads;
        }

        return true;
    }

    private void OnFrame(ChatConnection connection, string command, JsonElement root)
    {
        switch (command)
        {
            case ChatCommands.SendBroadcastMessage:
                if (!BroadcastFormatter.TryRead(root, out BroadcastLine line))
                {
                    LogMalformedBroadcast(logger);
                }
                else if (_seqs.TryAccept(line.Room, line.Seq))
                {
                    output.WriteMessage(line.ToString());
                    MarkPrinted(line.Room, line.Seq);
                }
                else
                {
                    LogDuplicate(logger, line.Room, line.Seq);
                }

                break;
            case ChatCommands.HeartbeatPing:
                connection.TrySend(new CommandFrame { Command = ChatCommands.HeartbeatPong }, ContractsJsonContext.Default.CommandFrame);
                break;
            case ChatCommands.HeartbeatPong:
                break;
            case ChatCommands.UpdateUserClientStatus:
                output.WriteStatus($"Status: {StringProperty(root, "message")}");
                break;
            case ChatCommands.UserStatus:
                if (BroadcastFormatter.TryFormatUserStatus(root, out string? presence))
                {
                    output.WriteMessage(presence);
                }
                else
                {
                    LogUnknownCommand(logger, command);
                }

                break;
            case ChatCommands.Joined or ChatCommands.Left or ChatCommands.RoomLeft or ChatCommands.Typing:
                OnRoomFrame(command, root);
                break;
            case ChatCommands.Error when root.TryGetProperty("sub_id", out JsonElement errorRoom) && errorRoom.ValueKind == JsonValueKind.String:
                OnRoomError(errorRoom.GetString()!, StringProperty(root, "message"));
                break;
            case ChatCommands.Error:
                string message = StringProperty(root, "message");
                if (message.StartsWith(SessionEndedPrefix, StringComparison.Ordinal))
                {
                    // The server closes the connection after this frame.
                    _sessionEnded = message;
                }
                else
                {
                    output.WriteStatus($"Server error: {message}");
                }

                break;
            case ChatCommands.Recovery:
                // The server could not find these any more: say so once, they will not come.
                output.WriteStatus($"Messages {NumberProperty(root, "from_seq")} to {NumberProperty(root, "to_seq")} of room '{StringProperty(root, "sub_id")}' are lost: the server no longer has them.");
                break;
            case ChatCommands.Connection:
                // A late refusal (token revoked) arrives before the server closes the connection.
                output.WriteStatus($"Server ended the session: {StringProperty(root, "error")}");
                break;
            default:
                LogUnknownCommand(logger, command);
                break;
        }
    }

    private async Task HeartbeatLoopAsync(ChatConnection connection, CancellationToken cancellationToken)
    {
        TimeSpan interval = options.HeartbeatInterval;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                // Three silent intervals, as the server judges its clients: the link is dead.
                if (Environment.TickCount64 - connection.LastReceivedTicks > 3 * interval.TotalMilliseconds)
                {
                    LogServerSilent(logger);
                    connection.Close();
                    return;
                }

                connection.TrySend(new CommandFrame { Command = ChatCommands.HeartbeatPing }, ContractsJsonContext.Default.CommandFrame);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProcessInputAsync(ChannelReader<string> input, CancellationTokenSource stop)
    {
        CancellationToken cancellationToken = stop.Token;
        try
        {
            await foreach (string text in input.ReadAllAsync(cancellationToken))
            {
                InputCommand command = InputCommand.Parse(text);
                switch (command.Kind)
                {
                    case InputCommandKind.None:
                        break;
                    case InputCommandKind.Quit:
                        await stop.CancelAsync();
                        return;
                    case InputCommandKind.Status:
                        SendStatus(command.Text);
                        break;
                    case InputCommandKind.Unknown:
                        output.WriteStatus($"Unknown command {command.Text}. Commands: /status <text>, /join <room>, /leave <room>, /rooms, /room [<room>], /dm <user> <text>, /who <room>, /typing, /quit.");
                        break;
                    case InputCommandKind.Message:
                        await PublishAsync(command.Text, cancellationToken);
                        break;
                    default:
                        await RoomCommandAsync(command, cancellationToken);
                        break;
                }
            }

            // End of input (piped stdin ran out): keep printing until /quit, Ctrl+C or SIGTERM.
            LogInputEnded(logger);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            LogInputEnded(logger);
        }
    }

    private async Task PublishAsync(string content, CancellationToken cancellationToken)
    {
        // One id per typed line, reused by every retry, so a retry is never a second message.
        Guid messageId = Guid.NewGuid();
        try
        {
            await api.PublishAsync(content, messageId, cancellationToken, _currentRoom);
        }
        catch (ChatApiException ex)
        {
            output.WriteStatus($"Message not sent: {ex.Message}");
        }
    }

    private void SendStatus(string message)
    {
        ChatConnection? connection = _connection;
        var frame = new StatusUpdateRequest
        {
            Command = ChatCommands.RequestClientStatusUpdate,
            Id = api.UserId,
            SubId = _sessionId,
            Message = message,
        };
        if (connection is null)
        {
            output.WriteStatus("Not connected; status not sent.");
        }
        else if (!connection.TrySend(frame, ContractsJsonContext.Default.StatusUpdateRequest))
        {
            output.WriteStatus("Status not sent: the connection is busy or closing.");
        }
    }

    private static string NumberProperty(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "?";

    private static string StringProperty(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
