using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;

namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>
/// One TCP client of the MainServer, built to cost as little as possible per delivery: after the
/// handshake it waits with a zero-byte receive (an idle client holds no buffer), then drains the
/// socket without blocking into one 256 KiB buffer per thread and parses every complete frame in
/// place. Only a frame cut by a read boundary is copied (into a pooled buffer). It answers
/// <c>heartbeat:ping</c>, checks seq order, and records latency from the content's stamp.
/// </summary>
internal sealed class BenchClient : IDisposable
{
    public const int MaxFrameBytes = 16 * 1024 * 1024;
    private const int ReadBufferSize = 256 * 1024;

    private static readonly byte[] PongFrame = CreatePong();

    [ThreadStatic]
    private static byte[]? t_readBuffer;

    private readonly ClientPool _pool;
    private readonly Socket _socket;
    private readonly SeqChecker _checker = new();
    private readonly Lock _gate = new();

    private byte[]? _carry;
    private int _carryLength;
    private long _lastSeq;
    private long _delivered;
    private long _reads;
    private volatile bool _stalled;
    private TaskCompletionSource? _resume;
    private int _disposed;
    private volatile bool _closed;

    public BenchClient(ClientPool pool, int index)
    {
        _pool = pool;
        Index = index;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    }

    public int Index { get; }

    /// <summary>The highest seq received (read by the publisher for its window).</summary>
    public long LastSeq => Volatile.Read(ref _lastSeq);

    public long Delivered => Volatile.Read(ref _delivered);

    /// <summary>Receive calls that returned data: deliveries per read says how well the server coalesces.</summary>
    public long Reads => Volatile.Read(ref _reads);

    /// <summary>The newest seq the server named in its handshake reply.</summary>
    public long HandshakeLastSeq { get; private set; }

    public bool IsOpen => !_closed;

    /// <summary>The server (or the network) ended the connection, not the bench.</summary>
    public bool ClosedByServer { get; private set; }

    public string? CloseReason { get; private set; }

    public long ErrorFrames { get; private set; }

    public long MalformedFrames { get; private set; }

    public long Pings { get; private set; }

    /// <summary>Latency of this client goes to the pool's stalled-group recorder.</summary>
    public bool InStallGroup { get; set; }

    public SeqChecker Checker => _checker;

    public bool IsStalled => _stalled;

    public async Task ConnectAsync(EndPoint endPoint, BenchUser user, CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(endPoint, cancellationToken);
        await _socket.SendAsync(user.ConnectFrame, SocketFlags.None, cancellationToken);

        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int have = 0, frameLength = 0;
            while (frameLength == 0 || have < frameLength)
            {
                if (have == buffer.Length)
                {
                    byte[] bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, have).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int n = await _socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    throw new IOException("The server closed the connection during the handshake.");
                }

                have += n;
                if (frameLength == 0 && have >= 4)
                {
                    int length = BinaryPrimitives.ReadInt32BigEndian(buffer);
                    if (length <= 0 || length > MaxFrameBytes)
                    {
                        throw new IOException($"Bad frame length {length} in the handshake reply.");
                    }

                    frameLength = 4 + length;
                }
            }

            ConnectResponse reply = JsonSerializer.Deserialize(buffer.AsSpan(4, frameLength - 4), ContractsJsonContext.Default.ConnectResponse)
                ?? throw new IOException("Empty handshake reply.");
            if (!reply.Condition || reply.Command != "connection")
            {
                throw new IOException($"Handshake refused: {reply.Error ?? System.Text.Encoding.UTF8.GetString(buffer, 4, frameLength - 4)}");
            }

            HandshakeLastSeq = reply.LastSeq ?? 0;
            _checker.Reset(HandshakeLastSeq);
            Volatile.Write(ref _lastSeq, HandshakeLastSeq);
            _socket.Blocking = false;
            if (have > frameLength)
            {
                Process(buffer.AsSpan(frameLength, have - frameLength), Stopwatch.GetTimestamp());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _ = ReadLoopAsync();
    }

    /// <summary>Stops reading: the server's data piles up in the kernel, then in the server.</summary>
    public void Stall()
    {
        lock (_gate)
        {
            _resume ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _stalled = true;
        }
    }

    public void Resume()
    {
        TaskCompletionSource? resume;
        lock (_gate)
        {
            _stalled = false;
            resume = _resume;
            _resume = null;
        }

        resume?.TrySetResult();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _closed = true;
        Resume();
        _socket.Dispose();
        ReleaseCarry();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                if (_stalled)
                {
                    Task resume;
                    lock (_gate)
                    {
                        resume = _resume?.Task ?? Task.CompletedTask;
                    }

                    await resume;
                }

                // Zero-byte receive: completes when data is there, without a buffer held meanwhile.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                if (!Drain())
                {
                    return;
                }
            }
        }
        catch (SocketException ex)
        {
            Closed(ex.SocketErrorCode.ToString());
        }
        catch (ObjectDisposedException)
        {
            Closed("disposed");
        }
    }

    /// <summary>Reads until the socket is empty (or this client is stalled); false once it is closed.</summary>
    private bool Drain()
    {
        byte[] buffer = t_readBuffer ??= GC.AllocateUninitializedArray<byte>(ReadBufferSize);
        while (!_stalled)
        {
            int n = _socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                return true;
            }

            if (error != SocketError.Success)
            {
                Closed(error.ToString());
                return false;
            }

            if (n == 0)
            {
                Closed("end of stream");
                return false;
            }

            Volatile.Write(ref _reads, _reads + 1);
            Process(buffer.AsSpan(0, n), Stopwatch.GetTimestamp());
            if (_closed)
            {
                return false;
            }

            if (n < buffer.Length)
            {
                return true;
            }
        }

        return true;
    }

    private void Closed(string reason)
    {
        if (_closed)
        {
            return;
        }

        CloseReason = reason;
        ClosedByServer = Volatile.Read(ref _disposed) == 0;
        _closed = true;
        if (ClosedByServer)
        {
            _pool.OnClosedByServer(this);
        }
    }

    internal void Process(ReadOnlySpan<byte> data, long now)
    {
        if (_carryLength > 0)
        {
            data = CompleteCarried(data, now);
            if (_carryLength > 0 || _closed)
            {
                return;
            }
        }

        while (data.Length >= 4)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(data);
            if (length <= 0 || length > MaxFrameBytes)
            {
                ProtocolError($"bad frame length {length}");
                return;
            }

            if (data.Length < 4 + length)
            {
                break;
            }

            OnFrame(data.Slice(4, length), now);
            data = data[(4 + length)..];
        }

        if (!data.IsEmpty)
        {
            int need = data.Length >= 4 ? 4 + BinaryPrimitives.ReadInt32BigEndian(data) : 4;
            _carry = ArrayPool<byte>.Shared.Rent(Math.Max(need, 64));
            data.CopyTo(_carry);
            _carryLength = data.Length;
        }
    }

    /// <summary>Adds to the frame cut by the last read; returns what is left of <paramref name="data"/>.</summary>
    private ReadOnlySpan<byte> CompleteCarried(ReadOnlySpan<byte> data, long now)
    {
        if (_carryLength < 4)
        {
            int take = Math.Min(4 - _carryLength, data.Length);
            data[..take].CopyTo(_carry.AsSpan(_carryLength));
            _carryLength += take;
            data = data[take..];
            if (_carryLength < 4)
            {
                return data;
            }
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(_carry);
        if (length <= 0 || length > MaxFrameBytes)
        {
            ProtocolError($"bad frame length {length}");
            return default;
        }

        int frameLength = 4 + length;
        if (_carry!.Length < frameLength)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(frameLength);
            _carry.AsSpan(0, _carryLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_carry);
            _carry = bigger;
        }

        int copy = Math.Min(frameLength - _carryLength, data.Length);
        data[..copy].CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += copy;
        data = data[copy..];
        if (_carryLength == frameLength)
        {
            OnFrame(_carry.AsSpan(4, length), now);
            ReleaseCarry();
        }

        return data;
    }

    private void ReleaseCarry()
    {
        byte[]? carry = _carry;
        _carry = null;
        _carryLength = 0;
        if (carry is not null)
        {
            ArrayPool<byte>.Shared.Return(carry);
        }
    }

    private void OnFrame(ReadOnlySpan<byte> payload, long now)
    {
        switch (BroadcastParser.Parse(payload, out long seq, out long stamp))
        {
            case FrameKind.Broadcast:
                _checker.Observe(seq);
                Volatile.Write(ref _lastSeq, _checker.Last);
                Volatile.Write(ref _delivered, _delivered + 1);
                if (stamp > 0)
                {
                    _pool.RecorderFor(this).RecordSince(stamp, now);
                }

                break;
            case FrameKind.Ping:
                Pings++;
                _socket.Send(PongFrame, SocketFlags.None, out _);
                break;
            case FrameKind.Error:
                ErrorFrames++;
                _pool.OnErrorFrame(System.Text.Encoding.UTF8.GetString(payload));
                break;
            case FrameKind.Malformed:
                MalformedFrames++;
                break;
            default:
                break;
        }
    }

    private void ProtocolError(string reason)
    {
        MalformedFrames++;
        Closed("protocol error: " + reason);
        _socket.Dispose();
    }

    private static byte[] CreatePong()
    {
        byte[] json = """{"command":"heartbeat:pong"}"""u8.ToArray();
        var frame = new byte[4 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, json.Length);
        json.CopyTo(frame, 4);
        return frame;
    }
}
