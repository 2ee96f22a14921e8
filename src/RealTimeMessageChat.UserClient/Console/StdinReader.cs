using System.Threading.Channels;

namespace RealTimeMessageChat.UserClient.Console;

/// <summary>
/// Copies stdin lines into a channel on a background task. The channel completes at end of input;
/// the session keeps running after that (so a test can pipe lines in and read stdout), and the
/// read blocked on a terminal does not hold the process open, because it runs on a pool thread.
/// </summary>
internal static class StdinReader
{
    public static ChannelReader<string> Start(TextReader input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _ = Task.Run(async () =>
        {
            try
            {
                while (await input.ReadLineAsync() is { } line)
                {
                    channel.Writer.TryWrite(line);
                }

                channel.Writer.TryComplete();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                channel.Writer.TryComplete(ex);
            }
        });
        return channel.Reader;
    }
}
