using System.Text.Json;
using System.Text.Json.Nodes;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.UserClient.Api;
using RealTimeMessageChat.UserClient.Console;
using RealTimeMessageChat.UserClient.Networking;

namespace RealTimeMessageChat.UserClient.Session;

/// <summary>Rooms, direct messages, typing and read receipts (issue 8).</summary>
internal sealed partial class ChatSession
{
    /// <summary>How often the printed seqs are reported with <c>read</c> (one frame per room at most per period).</summary>
    private static readonly TimeSpan ReadReportInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _roomsLock = new();
    private readonly HashSet<string> _joined = new(StringComparer.Ordinal);

    // Rooms asked for without a last_seq: the joined answer's seq becomes where a reconnect resumes.
    private readonly HashSet<string> _liveJoins = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _unreported = new(StringComparer.Ordinal);
    private volatile string _currentRoom = string.Empty;

    /// <summary>The rooms this session receives (besides the global one).</summary>
    public IReadOnlyList<string> JoinedRooms
    {
        get
        {
            lock (_roomsLock)
            {
                return [.. _joined.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Where typed lines go; "" is the global room.</summary>
    public string CurrentRoom => _currentRoom;

    private List<RoomRequest>? HandshakeRooms()
    {
        lock (_roomsLock)
        {
            if (_joined.Count == 0)
            {
                return null;
            }

            return [.. _joined.Select(room => new RoomRequest { SubId = room, LastSeq = ResumeOrLive(room) })];
        }
    }

    /// <summary>Under the rooms lock: the room's resume point, or null (and remembered as a live join).</summary>
    private long? ResumeOrLive(string room)
    {
        long? after = _seqs.ResumeAfter(room);
        if (after is null)
        {
            _liveJoins.Add(room);
        }

        return after;
    }

    private void MarkPrinted(string room, long seq)
    {
        lock (_roomsLock)
        {
            _unreported[room] = seq;
        }
    }

    private void OnRoomFrame(string command, JsonElement root)
    {
        string room = StringProperty(root, "sub_id");
        switch (command)
        {
            case ChatCommands.Joined:
                lock (_roomsLock)
                {
                    _joined.Add(room);
                    if (_liveJoins.Remove(room) && root.TryGetProperty("seq", out JsonElement seq) && seq.TryGetInt64(out long head))
                    {
                        _seqs.ObserveRoomHead(room, head);
                    }
                }

                output.WriteStatus($"Receiving room {room} (newest seq {NumberProperty(root, "seq")}).");
                break;
            case ChatCommands.Left:
                output.WriteStatus($"No longer receiving room {room}.");
                break;
            case ChatCommands.RoomLeft:
                Forget(room);
                output.WriteStatus($"You are no longer in room {room} ({StringProperty(root, "reason")}).");
                break;
            case ChatCommands.Typing:
                output.WriteTransient($"… {StringProperty(root, "id")} is typing in {room}");
                break;
        }
    }

    private void OnRoomError(string room, string message)
    {
        // A room the server will not give us (not a member, or no longer): stop asking for it on reconnect.
        if (message.StartsWith("not a member", StringComparison.Ordinal) || message.StartsWith("not in room", StringComparison.Ordinal))
        {
            Forget(room);
        }

        output.WriteStatus($"Room {(room.Length == 0 ? "(global)" : room)}: {message}");
    }

    private void Forget(string room)
    {
        lock (_roomsLock)
        {
            _joined.Remove(room);
            _liveJoins.Remove(room);
            _unreported.Remove(room);
        }

        if (_currentRoom == room)
        {
            _currentRoom = string.Empty;
            output.WriteStatus("Typed lines go to the global room again.");
        }
    }

    private async Task RoomCommandAsync(InputCommand command, CancellationToken cancellationToken)
    {
        string room = command.Text;
        switch (command.Kind)
        {
            case InputCommandKind.Join:
                long? after;
                lock (_roomsLock)
                {
                    // Sent again in every handshake until the server refuses it or /leave.
                    _joined.Add(room);
                    after = ResumeOrLive(room);
                }

                SendRoomCommand(new RoomCommandRequest { Command = ChatCommands.Join, SubId = room, LastSeq = after }, "join");
                break;
            case InputCommandKind.Leave:
                Forget(room);
                SendRoomCommand(new RoomCommandRequest { Command = ChatCommands.Leave, SubId = room }, "leave");
                break;
            case InputCommandKind.Room:
                _currentRoom = room;
                output.WriteStatus(room.Length == 0 ? "Typed lines go to the global room." : $"Typed lines go to room {room}.");
                break;
            case InputCommandKind.Typing when _currentRoom.Length == 0:
                output.WriteStatus("Typing is shown in rooms only: /room <room> first.");
                break;
            case InputCommandKind.Typing:
                SendRoomCommand(new RoomCommandRequest { Command = ChatCommands.Typing, SubId = _currentRoom }, "typing");
                break;
            case InputCommandKind.Rooms:
                await ApiCallAsync(() => api.ListRoomsAsync(cancellationToken), "rooms", "Rooms:");
                break;
            case InputCommandKind.Who:
                await ApiCallAsync(() => api.ListMembersAsync(room, cancellationToken), "members", $"Members of {room}:");
                break;
            case InputCommandKind.Dm:
                await ApiCallAsync(() => api.SendDirectAsync(command.Text, command.Extra, Guid.NewGuid(), cancellationToken), null, $"Direct message to {command.Text} sent.");
                break;
        }
    }

    private void SendRoomCommand(RoomCommandRequest frame, string what)
    {
        ChatConnection? connection = _connection;
        if (connection is null)
        {
            output.WriteStatus(frame.Command == ChatCommands.Join ? $"Not connected; room {frame.SubId} is joined on the next connect." : $"Not connected; {what} not sent.");
        }
        else if (!connection.TrySend(frame, ContractsJsonContext.Default.RoomCommandRequest))
        {
            output.WriteStatus($"{what} not sent: the connection is busy or closing.");
        }
    }

    private async Task ApiCallAsync(Func<Task<JsonNode?>> call, string? listName, string heading)
    {
        try
        {
            JsonNode? answer = await call();
            output.WriteStatus(heading);
            if (listName is not null)
            {
                JsonNode? list = answer is JsonObject o && o[listName] is { } named ? named : answer;
                foreach (JsonNode? entry in list as JsonArray ?? [])
                {
                    output.WriteStatus("  " + Describe(entry));
                }
            }
        }
        catch (ChatApiException ex)
        {
            output.WriteStatus($"Error: {ex.Message}");
        }
    }

    /// <summary>One list entry as <c>key=value</c> pairs of its plain fields (the API's fields, whatever they are).</summary>
    internal static string Describe(JsonNode? entry) => entry switch
    {
        JsonObject o => string.Join(" ", o.Where(p => p.Value is JsonValue).Select(p => $"{p.Key}={p.Value!.ToJsonString().Trim('"')}")),
        JsonValue v => v.ToJsonString().Trim('"'),
        _ => string.Empty,
    };

    /// <summary>Reports the newest printed seq of each room every <see cref="ReadReportInterval"/>, at most one <c>read</c> per room.</summary>
    private async Task ReadReceiptLoopAsync(ChatConnection connection, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ReadReportInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                KeyValuePair<string, long>[] due;
                lock (_roomsLock)
                {
                    due = [.. _unreported];
                    _unreported.Clear();
                }

                foreach (var (room, seq) in due)
                {
                    connection.TrySend(new RoomCommandRequest { Command = ChatCommands.Read, SubId = room, Seq = seq }, ContractsJsonContext.Default.RoomCommandRequest);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
