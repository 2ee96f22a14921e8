using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace RealTimeMessageChat.Bench.Redis;

/// <summary>
/// A small Redis client: one socket, commands written in order, replies read in order by one loop.
/// Callers either await each reply (<see cref="ExecuteAsync"/>, for setup) or pipeline many commands
/// with <see cref="SendAsync"/> and only count the replies (the appender), so the bench's own Redis
/// traffic costs one write per batch.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _input;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<TaskCompletionSource<RespValue>?> _waiting = new();
    private readonly Lock _queueLock = new();
    private readonly Task _readLoop;
    private long _sent;
    private long _replies;
    private long _errors;
    private string? _firstError;

    private RespConnection(Socket socket)
    {
        _socket = socket;
        _input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
        _readLoop = ReadLoopAsync();
    }

    /// <summary>Replies received, pipelined or awaited.</summary>
    public long Replies => Volatile.Read(ref _replies);

    public long Sent => Volatile.Read(ref _sent);

    public long Errors => Volatile.Read(ref _errors);

    public string? FirstError => Volatile.Read(ref _firstError);

    public static async Task<RespConnection> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        return new RespConnection(socket);
    }

    public async Task<RespValue> ExecuteAsync(params string[] arguments)
    {
        var writer = new RespWriter();
        writer.Command(arguments);
        var reply = new TaskCompletionSource<RespValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        await WriteAsync(writer.Written, [reply]);
        RespValue value = await reply.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return value.IsError ? throw new IOException($"Redis {arguments[0]}: {value.Text}") : value;
    }

    /// <summary>Sends pipelined commands whose replies are only counted (and errors remembered).</summary>
    public Task SendAsync(ReadOnlyMemory<byte> commands, int count) => WriteAsync(commands, new TaskCompletionSource<RespValue>?[count]);

    /// <summary>Waits until at most <paramref name="outstanding"/> replies are pending.</summary>
    public async Task WaitForRepliesAsync(long outstanding, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Sent - Replies > outstanding)
        {
            if (_readLoop.IsCompleted)
            {
                throw new IOException("The Redis connection closed.");
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"Redis did not answer {Sent - Replies} commands in {timeout.TotalSeconds} s.");
            }

            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        try
        {
            await _readLoop;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
        }

        _writeLock.Dispose();
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> commands, TaskCompletionSource<RespValue>?[] replies)
    {
        await _writeLock.WaitAsync();
        try
        {
            lock (_queueLock)
            {
                foreach (TaskCompletionSource<RespValue>? reply in replies)
                {
                    _waiting.Enqueue(reply);
                }
            }

            Interlocked.Add(ref _sent, replies.Length);
            await _socket.SendAsync(commands, SocketFlags.None);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadResult result = await _input.ReadAsync();
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (RespReader.TryRead(ref buffer, out RespValue value))
                {
                    TaskCompletionSource<RespValue>? reply;
                    lock (_queueLock)
                    {
                        _waiting.TryDequeue(out reply);
                    }

                    if (value.IsError)
                    {
                        Interlocked.Increment(ref _errors);
                        Interlocked.CompareExchange(ref _firstError, value.Text, null);
                    }

                    Interlocked.Increment(ref _replies);
                    reply?.TrySetResult(value);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            lock (_queueLock)
            {
                while (_waiting.TryDequeue(out TaskCompletionSource<RespValue>? reply))
                {
                    reply?.TrySetException(new IOException("The Redis connection closed."));
                }
            }
        }
    }
}
