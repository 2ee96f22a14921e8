namespace RealTimeMessageChat.UserClient.Console;

/// <summary>What a typed line asks for.</summary>
internal enum InputCommandKind
{
    None,
    Message,
    Status,
    Quit,
    Unknown,
}

/// <summary>A parsed stdin line: a chat message, or a command starting with <c>/</c>.</summary>
internal readonly record struct InputCommand(InputCommandKind Kind, string Text)
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
            _ => new InputCommand(InputCommandKind.Unknown, name),
        };
    }
}
