namespace RealTimeMessageChat.UserClient.Console;

/// <summary>What a typed line asks for.</summary>
internal enum InputCommandKind
{
    None,
    Message,
    Status,
    Quit,
    Unknown,

    /// <summary><c>/join &lt;room&gt;</c>: receive a room (the server checks membership).</summary>
    Join,

    /// <summary><c>/leave &lt;room&gt;</c>: stop receiving it on this connection.</summary>
    Leave,

    /// <summary><c>/rooms</c>: the public rooms and mine (GET /api/v1/rooms).</summary>
    Rooms,

    /// <summary><c>/room [&lt;room&gt;]</c>: where typed lines go (no room: the global one).</summary>
    Room,

    /// <summary><c>/dm &lt;user&gt; &lt;text&gt;</c>: a direct message (POST /api/v1/messages/direct).</summary>
    Dm,

    /// <summary><c>/who &lt;room&gt;</c>: the room's members (GET /api/v1/rooms/{room}/members).</summary>
    Who,

    /// <summary><c>/typing</c>: tell the current room's other members you are typing.</summary>
    Typing,
}

/// <summary>A parsed stdin line: a chat message, or a command starting with <c>/</c>.</summary>
/// <param name="Kind">What the line asks for.</param>
/// <param name="Text">The message, status text, room or user (for <c>/dm</c>, the user).</param>
/// <param name="Extra">The text of a <c>/dm</c>; empty otherwise.</param>
internal readonly record struct InputCommand(InputCommandKind Kind, string Text, string Extra = "")
{
    /// <summary>
    /// Empty lines are <see cref="InputCommandKind.None"/>. <c>//text</c> sends <c>/text</c> as a message,
    /// so a line can still start with a slash.
    /// </summary>
    public static InputCommand Parse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return new InputCommand(InputCommandKind.None, string.Empty);
        }

        line = line.TrimEnd('\r', '\n');
        if (!line.StartsWith('/'))
        {
            return new InputCommand(InputCommandKind.Message, line);
        }

        if (line.StartsWith("//", StringComparison.Ordinal))
        {
            return new InputCommand(InputCommandKind.Message, line[1..]);
        }

        int space = line.IndexOf(' ', StringComparison.Ordinal);
        string name = space < 0 ? line : line[..space];
        string argument = space < 0 ? string.Empty : line[(space + 1)..].Trim();
        return name.ToLowerInvariant() switch
        {
            "/quit" or "/exit" => new InputCommand(InputCommandKind.Quit, string.Empty),
            "/status" => new InputCommand(InputCommandKind.Status, argument),
            "/join" when IsRoomId(argument) => new InputCommand(InputCommandKind.Join, argument),
            "/leave" when IsRoomId(argument) => new InputCommand(InputCommandKind.Leave, argument),
            "/who" when IsRoomId(argument) => new InputCommand(InputCommandKind.Who, argument),
            "/room" when argument.Length == 0 || IsRoomId(argument) => new InputCommand(InputCommandKind.Room, argument),
            "/rooms" => new InputCommand(InputCommandKind.Rooms, string.Empty),
            "/typing" => new InputCommand(InputCommandKind.Typing, string.Empty),
            "/dm" => ParseDm(argument) is { } dm ? dm : new InputCommand(InputCommandKind.Unknown, "/dm needs <user> <text>"),
            "/join" or "/leave" or "/who" or "/room" => new InputCommand(InputCommandKind.Unknown, $"{name} needs a room id ([A-Za-z0-9_-], 1 to 64)"),
            _ => new InputCommand(InputCommandKind.Unknown, name),
        };
    }

    private static InputCommand? ParseDm(string argument)
    {
        int space = argument.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !IsRoomId(argument[..space]) || argument[(space + 1)..].Trim().Length == 0)
        {
            return null;
        }

        return new InputCommand(InputCommandKind.Dm, argument[..space], argument[(space + 1)..].Trim());
    }

    private static bool IsRoomId(string value) => Contracts.Validation.MessageRules.IsValidUserId(value);
}
