using System.Buffers;
using System.Net.Sockets;

namespace RealTimeMessageChat.Infrastructure.Messaging;

/// <summary>
/// The broker connection's stream, with writes gathered into one send: RabbitMQ.Client 7 flushes
/// after every frame, so each publish cost one <c>send</c> here and one read, one wake-up and one
/// parse in the broker. This stream copies each write into a buffer and hands it to one send loop
/// queued on the thread pool; everything written before that loop runs leaves in one syscall.
/// Under load that is every publish of a thread-pool turn; alone, a frame still leaves at once
/// (one queued work item later). Reads are the plain <see cref="NetworkStream"/>'s.
/// </summary>
/// <remarks>
/// A flush hands the bytes to the send loop and returns; it does not wait for the socket (waiting
/// would bring back one send per frame). The broker's replies (confirms, close-ok) are what tell
/// the client that its frames arrived, so nothing in the client depends on a flush having sent.
/// A failed send fails every later write with the error and shuts the socket down, so the
/// client's read loop sees the connection drop and recovery begins, as with a plain stream.
/// </remarks>
internal sealed class CoalescingNetworkStream : NetworkStream, IThreadPoolWorkItem
{
    /// <summary>Bytes buffered past which a writer waits for the send loop (the socket is slower than the writers).</summary>
    internal const int MaxPendingBytes = 1 << 20;

    private readonly Socket _socket;
    private readonly Action<IThreadPoolWorkItem> _schedule;
    private readonly Lock _gate = new();
    private ArrayBufferWriter<byte> _pending = new(16 * 1024);
    private ArrayBufferWriter<byte> _sending = new(16 * 1024);
    private bool _scheduled;
    private Exception? _failure;
    private TaskCompletionSource? _roomFreed;
    private long _sends;

    public CoalescingNetworkStream(Socket socket)
        : this(socket, static item => ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false))
    {
    }

    /// <summary>With <paramref name="schedule"/> in place of the thread pool's global queue (tests run the send loop by hand).</summary>
    internal CoalescingNetworkStream(Socket socket, Action<IThreadPoolWorkItem> schedule)
        : base(socket, ownsSocket: false)
    {
        _socket = socket;
        _schedule = schedule;
    }

    /// <summary>Sends (syscalls) made so far: what tests compare with the writes.</summary>
    internal long Sends => Volatile.Read(ref _sends);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Task? wait = Enqueue(buffer.Span);
        return wait is null ? default : new ValueTask(wait.WaitAsync(cancellationToken));
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer) => Enqueue(buffer)?.GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(WriteAsync(buffer, offset, count, CancellationToken.None), callback, state);

    public override void EndWrite(IAsyncResult asyncResult) => TaskToAsyncResult.End(asyncResult);

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Copies the bytes into the pending buffer; returns a task to wait on when the buffer is full, else null.</summary>
    private Task? Enqueue(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                throw SendFailed(_failure);
            }

            bytes.CopyTo(_pending.GetSpan(bytes.Length));
            _pending.Advance(bytes.Length);
            if (!_scheduled)
            {
                _scheduled = true;
                _schedule(this);
            }

            if (_pending.WrittenCount < MaxPendingBytes)
            {
                return null;
            }

            _roomFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _roomFreed.Task;
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = SendLoopAsync();

    private async Task SendLoopAsync()
    {
        while (true)
        {
            ArrayBufferWriter<byte> batch;
            TaskCompletionSource? roomFreed;
            lock (_gate)
            {
                roomFreed = _roomFreed;
                _roomFreed = null;
                if (_pending.WrittenCount == 0)
                {
                    _scheduled = false;
                    roomFreed?.TrySetResult();
                    return;
                }

                // Writers fill the other buffer while this one is sent.
                batch = _pending;
                _pending = _sending;
                _sending = batch;
            }

            roomFreed?.TrySetResult();
            try
            {
                ReadOnlyMemory<byte> rest = batch.WrittenMemory;
                while (!rest.IsEmpty)
                {
                    int sent = await _socket.SendAsync(rest, SocketFlags.None).ConfigureAwait(false);
                    rest = rest[sent..];
                    Interlocked.Increment(ref _sends);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
                Fail(ex);
                return;
            }

            batch.ResetWrittenCount();
        }
    }

    private static IOException SendFailed(Exception cause) => new("The connection to the broker failed while sending.", cause);

    private void Fail(Exception ex)
    {
        TaskCompletionSource? roomFreed;
        lock (_gate)
        {
            _failure = ex;
            _scheduled = false;
            roomFreed = _roomFreed;
            _roomFreed = null;
        }

        roomFreed?.TrySetException(SendFailed(ex));
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception shutdownError) when (shutdownError is SocketException or ObjectDisposedException)
        {
            // Already closed: the read loop has seen it.
        }
    }
}
