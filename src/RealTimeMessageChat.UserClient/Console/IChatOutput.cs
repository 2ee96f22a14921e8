namespace RealTimeMessageChat.UserClient.Console;

/// <summary>Where the session writes: chat lines to stdout, everything else to stderr.</summary>
internal interface IChatOutput
{
    /// <summary>One chat line, flushed at once (stdout).</summary>
    void WriteMessage(string line);

    /// <summary>Status and diagnostics for the person at the terminal (stderr).</summary>
    void WriteStatus(string text);

    /// <summary>A passing notice (someone is typing): a status line, not a chat line, never stdout.</summary>
    void WriteTransient(string text) => WriteStatus(text);
}
