using System.Globalization;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Bench.Tcp;

namespace RealTimeMessageChat.Bench.Redis;

/// <summary>
/// Appends messages straight to the global room's Redis stream, as the consumer's Lua step leaves
/// them (RedisMessageLogScripts.AppendBatch): <c>XADD send_global_message MAXLEN ~ 100000 &lt;seq&gt;-0</c>
/// with the same fields, the room's sequence key set to that seq, and the <c>PUBLISH</c> wake-up
/// on the notify channel, one per message. This is the MainServer alone: no API, broker or consumer.
/// Every batch is one pipelined write; replies are only counted.
/// </summary>
internal sealed class StreamAppender : IAsyncDisposable
{
    private const int MaxOutstandingReplies = 3 * 4096;
    private const long StreamMaxLength = 100_000;

    private readonly RespConnection _pipe;
    private readonly RespConnection _control;
    private readonly RespWriter _writer = new();
    private readonly string _sender;
    private byte[] _content = [];

    private StreamAppender(RespConnection pipe, RespConnection control, string sender, long head)
    {
        _pipe = pipe;
        _control = control;
        _sender = sender;
        Head = head;
    }

    /// <summary>The last seq appended (or found at start).</summary>
    public long Head { get; private set; }

    public long Errors => _pipe.Errors;

    public string? FirstError => _pipe.FirstError;

    public static async Task<StreamAppender> CreateAsync(int port, string sender, CancellationToken cancellationToken)
    {
        RespConnection control = await RespConnection.ConnectAsync(port, cancellationToken);
        RespConnection pipe = await RespConnection.ConnectAsync(port, cancellationToken);
        long head = await ReadHeadAsync(control);
        await control.ExecuteAsync("SADD", RedisKeys.Rooms, string.Empty);
        return new StreamAppender(pipe, control, sender, head);
    }

    /// <summary>The global room's newest seq: its sequence key, or the stream's last entry if that is ahead.</summary>
    public static async Task<long> ReadHeadAsync(RespConnection control)
    {
        RespValue seq = await control.ExecuteAsync("GET", RedisKeys.Sequence(string.Empty));
        long head = seq.Kind == RespKind.Bulk ? long.Parse(seq.Text!, CultureInfo.InvariantCulture) : 0;
        RespValue last = await control.ExecuteAsync("XREVRANGE", RedisKeys.GlobalStream, "+", "-", "COUNT", "1");
        if (last.Items is [{ Items: [{ Text: string id }, ..] }, ..])
        {
            head = Math.Max(head, long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture));
        }

        return head;
    }

    /// <summary>Appends <paramref name="count"/> messages of <paramref name="contentSize"/> bytes; message i carries <paramref name="stampOf"/>(i).</summary>
    public async Task AppendAsync(int count, int contentSize, Func<int, long> stampOf)
    {
        if (_content.Length != Math.Max(contentSize, BenchContent.MinimumSize))
        {
            _content = new byte[Math.Max(contentSize, BenchContent.MinimumSize)];
        }

        await _pipe.WaitForRepliesAsync(MaxOutstandingReplies, TimeSpan.FromSeconds(30));
        long createdAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _writer.Clear();
        for (int i = 0; i < count; i++)
        {
            long seq = Head + 1 + i;
            BenchContent.Write(_content, stampOf(i));
            WriteAppend(seq, createdAt);
        }

        Head += count;
        await _pipe.SendAsync(_writer.Written, _writer.Commands);
    }

    /// <summary>Waits for every reply; throws if Redis refused any command.</summary>
    public async Task FlushAsync()
    {
        await _pipe.WaitForRepliesAsync(0, TimeSpan.FromSeconds(60));
        if (_pipe.Errors > 0)
        {
            throw new IOException($"Redis refused {_pipe.Errors} appends; first: {_pipe.FirstError}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _pipe.DisposeAsync();
        await _control.DisposeAsync();
    }

    private void WriteAppend(long seq, long createdAt)
    {
        _writer.BeginCommand(24);
        _writer.Argument("XADD");
        _writer.Argument(RedisKeys.GlobalStream);
        _writer.Argument("MAXLEN");
        _writer.Argument("~");
        _writer.Argument(StreamMaxLength);
        _writer.Argument(seq.ToString(CultureInfo.InvariantCulture) + "-0");
        _writer.Argument("message_id");
        _writer.Argument(Guid.NewGuid().ToString("D"));
        _writer.Argument("seq");
        _writer.Argument(seq);
        _writer.Argument("sender");
        _writer.Argument(_sender);
        _writer.Argument("sub_id");
        _writer.Argument(string.Empty);
        _writer.Argument("command");
        _writer.Argument(ChatCommands.SendBroadcastMessage);
        _writer.Argument("content");
        _writer.Argument(_content);
        _writer.Argument("priority");
        _writer.Argument(2);
        _writer.Argument("metadata");
        _writer.Argument("{}");
        _writer.Argument("created_at");
        _writer.Argument(createdAt);

        _writer.BeginCommand(3);
        _writer.Argument("SET");
        _writer.Argument(RedisKeys.Sequence(string.Empty));
        _writer.Argument(seq);

        _writer.BeginCommand(3);
        _writer.Argument("PUBLISH");
        _writer.Argument(RedisKeys.NotifyChannel);
        _writer.Argument(string.Empty);
    }
}
