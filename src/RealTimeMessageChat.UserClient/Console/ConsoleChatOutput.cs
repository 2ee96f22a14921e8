namespace RealTimeMessageChat.UserClient.Console;

/// <summary>
/// Chat lines on stdout, flushed per line; status on stderr. Status lines may quote what a server
/// sent (an error frame's message), so their control characters are made visible as well.
/// </summary>
internal sealed class ConsoleChatOutput(TextWriter stdout, TextWriter stderr) : IChatOutput
{
    private readonly Lock _lock = new();

    public void WriteMessage(string line)
    {
        lock (_lock)
        {
            stdout.WriteLine(line);
            stdout.Flush();
        }
    }

    public void WriteStatus(string text)
    {
        lock (_lock)
        {
            stderr.WriteLine(BroadcastFormatter.Printable(text));
            stderr.Flush();
        }
    }
}
