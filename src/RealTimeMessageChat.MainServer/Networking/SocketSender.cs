using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// A gathered send on a pooled <see cref="SocketAsyncEventArgs"/> (Kestrel's SocketSenderPool):
/// rented for one send and returned, so its buffer list and native state belong to the sends in
/// flight, not to every socket that ever sent (Socket.SendAsync(IList) caches one per socket).
/// </summary>
internal sealed class SocketSender : SocketAsyncEventArgs, IValueTaskSource
{
    private const int MaxPooled = 1024;
    private static readonly ConcurrentQueue<SocketSender> Pool = new();
    private static int s_pooled;

    private ManualResetValueTaskSourceCore<bool> _source = new() { RunContinuationsAsynchronously = true };

    // No ExecutionContext flows through a send: nothing of the caller's is needed on completion.
    private SocketSender()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Sends every segment; on a stream socket the runtime completes only when all bytes are sent.</summary>
    public static async ValueTask SendAsync(Socket socket, IList<ArraySegment<byte>> segments)
    {
        SocketSender sender = Rent();
        try
        {
            await sender.StartAsync(socket, segments);
        }
        finally
        {
            sender.BufferList = null;
            Return(sender);
        }
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => Complete();

    void IValueTaskSource.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);

    private static SocketSender Rent()
    {
        if (Pool.TryDequeue(out SocketSender? sender))
        {
            Interlocked.Decrement(ref s_pooled);
            return sender;
        }

        return new SocketSender();
    }

    private static void Return(SocketSender sender)
    {
        if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
        {
            Pool.Enqueue(sender);
        }
        else
        {
            Interlocked.Decrement(ref s_pooled);
            sender.Dispose();
        }
    }

    private ValueTask StartAsync(Socket socket, IList<ArraySegment<byte>> segments)
    {
        _source.Reset();
        BufferList = segments;
        if (socket.SendAsync(this))
        {
            return new ValueTask(this, _source.Version);
        }

        return SocketError == SocketError.Success
            ? ValueTask.CompletedTask
            : ValueTask.FromException(new SocketException((int)SocketError));
    }

    private void Complete()
    {
        if (SocketError == SocketError.Success)
        {
            _source.SetResult(true);
        }
        else
        {
            _source.SetException(new SocketException((int)SocketError));
        }
    }
}
