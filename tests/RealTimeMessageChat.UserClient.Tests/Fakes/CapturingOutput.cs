using System.Threading.Channels;
using RealTimeMessageChat.UserClient.Console;

namespace RealTimeMessageChat.UserClient.Tests.Fakes;

/// <summary>Collects what the session would print, so tests can await the next stdout or stderr line.</summary>
internal sealed class CapturingOutput : IChatOutput
{
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _status = Channel.CreateUnbounded<string>();

    public void WriteMessage(string line) => _messages.Writer.TryWrite(line);

    public void WriteStatus(string text) => _status.Writer.TryWrite(text);

    public ValueTask<string> NextMessageAsync(CancellationToken cancellationToken) => _messages.Reader.ReadAsync(cancellationToken);

    public bool TryTakeMessage(out string? line) => _messages.Reader.TryRead(out line);

    /// <summary>The next status line that contains <paramref name="fragment"/>; other status lines are skipped.</summary>
    public async Task<string> WaitForStatusAsync(string fragment, CancellationToken cancellationToken)
    {
        while (true)
        {
            string line = await _status.Reader.ReadAsync(cancellationToken);
            if (line.Contains(fragment, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }
}
