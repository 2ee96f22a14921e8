using System.Numerics;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using RealTimeMessageChat.MainServer.Collections;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// Sends a writer's batch. First try: the frames copied into this thread's scratch buffer and one
/// non-blocking <c>send</c> of it, which is how nearly every send on a reading client ends. Only
/// what that could not send (the client's socket buffer is full) goes the slow way: a gathered
/// send of references to the frames on a pooled <see cref="SocketAsyncEventArgs"/> (Kestrel's
/// SocketSenderPool), so a client that stops reading holds no copy, only its place in the ring.
/// </summary>
/// <remarks>
/// Why copy: the runtime pins every buffer of a gathered send with its own GC handle. At 1,000
/// clients and 128-byte broadcasts that pinning was a quarter of the server's CPU (perf,
/// 2026-12-02), while copying a frame costs a few nanoseconds per hundred bytes. The socket must be
/// non-blocking (<see cref="Socket.Blocking"/> false) for the first try to return at once.
/// </remarks>
internal sealed class SocketSender : SocketAsyncEventArgs, IValueTaskSource
{
    /// <summary>Bytes a batch may hold to be sent by copy: the writer's cap plus one large frame's slack.</summary>
    private const int ScratchBytes = 512 * 1024;

    private const int MinScratchBytes = 16 * 1024;

    [ThreadStatic]
    private static byte[]? t_scratch;
    // Disposed when the pool is full: its native state is not the GC's to release.
    private static readonly BoundedPool<SocketSender> Pool = new(static () => new SocketSender(), capacity: 1024, static s => s.Dispose());

    private ManualResetValueTaskSourceCore<bool> _source = new() { RunContinuationsAsynchronously = true };

    // No ExecutionContext flows through a send: nothing of the caller's is needed on completion.
    private SocketSender()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Sends every segment; completes only when all bytes are sent.</summary>
    public static ValueTask SendAsync(Socket socket, IList<ArraySegment<byte>> segments)
    {
        int total = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            total += segments[i].Count;
        }

        if (total == 0 || total > ScratchBytes)
        {
            return SendGatheredAsync(socket, segments);
        }

        // Grown to the largest batch this thread has sent, so handshake replies on an idle server
        // cost a few KiB per thread, not the cap (idle memory is measured per connection).
        byte[]? scratch = t_scratch;
        if (scratch is null || scratch.Length < total)
        {
            scratch = t_scratch = GC.AllocateUninitializedArray<byte>((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(total, MinScratchBytes)));
        }

        int length = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            ArraySegment<byte> segment = segments[i];
            segment.AsSpan().CopyTo(scratch.AsSpan(length));
            length += segment.Count;
        }

        int sent = socket.Send(scratch.AsSpan(0, length), SocketFlags.None, out SocketError error);
        if (error == SocketError.Success && sent == length)
        {
            return ValueTask.CompletedTask;
        }

        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            return ValueTask.FromException(new SocketException((int)error));
        }

        return SendGatheredAsync(socket, Remainder(segments, Math.Max(sent, 0)));
    }

    /// <summary>The segments after the first <paramref name="sent"/> bytes.</summary>
    internal static List<ArraySegment<byte>> Remainder(IList<ArraySegment<byte>> segments, int sent)
    {
        var rest = new List<ArraySegment<byte>>(segments.Count);
        foreach (ArraySegment<byte> segment in segments)
        {
            if (sent >= segment.Count)
            {
                sent -= segment.Count;
                continue;
            }

            rest.Add(sent == 0 ? segment : segment.Slice(sent));
            sent = 0;
        }

        return rest;
    }

    private static async ValueTask SendGatheredAsync(Socket socket, IList<ArraySegment<byte>> segments)
    {
        SocketSender sender = Pool.Rent();
        try
        {
            await sender.StartAsync(socket, segments);
        }
        finally
        {
            sender.BufferList = null;
            Pool.Return(sender);
        }
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => Complete();

    void IValueTaskSource.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);

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
