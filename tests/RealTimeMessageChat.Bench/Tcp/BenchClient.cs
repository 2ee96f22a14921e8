using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Protocol;
using RealTimeMessageChat.Protocol.Toolkit;

namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>
/// One TCP client of the MainServer, built to cost as little as possible per delivery: a plain
/// descriptor read by the pool's <see cref="EpollEngine"/> (one thread for all clients, like the C
/// reference client), frames parsed in place in the engine's buffer; only a frame cut by a read
/// boundary is copied (into a pooled buffer). The first frame is the handshake reply; after it the
/// client answers <c>heartbeat:ping</c>, checks seq order, and records latency from the content's stamp.
/// Everything but <see cref="Connect"/> runs on the engine's thread.
/// </summary>
internal sealed class BenchClient : IDisposable
{
    public const int MaxFrameBytes = 16 * 1024 * 1024;

    private static readonly byte[] PongFrame = CreatePong();

    private readonly ClientPool _pool;
    private readonly EpollEngine? _engine;
    private readonly SeqChecker _checker = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private byte[]? _carry;
    private int _carryLength;
    private long _lastSeq;
    private long _delivered;
    private long _reads;
    private readonly bool _raw;
    private readonly long? _toolkitStartSeq;
    private byte[] _toolkitBytes = [];
    private int _toolkitCount;
    private bool _handshaking = true;
    private volatile bool _stalled;
    private int _disposed;
    private volatile bool _closed;

    /// <param name="pool">The pool it belongs to.</param>
    /// <param name="index">Its id in the pool and the engine.</param>
    /// <param name="engine">The engine that reads it; null for a client only fed bytes (tests).</param>
    /// <param name="raw">
    /// Calibration against the C reference server: no handshake, and each frame is its binary
    /// payload (<c>[u64 seq from 0][u64 stamp]</c>) instead of JSON, so the generator's own cost per
    /// delivery can be set beside the C client's on the same server.
    /// </param>
    /// <param name="toolkitStartSeq">
    /// Not null: the client speaks the C++ toolkit's framing (issue 10) as the original UserClient
    /// does, and is admitted as a guest at the stream's head, which the bench knows (it is the
    /// only writer, and nothing is appended while clients connect): its first broadcast is this + 1.
    /// </param>
    public BenchClient(ClientPool pool, int index, EpollEngine? engine = null, bool raw = false, long? toolkitStartSeq = null)
    {
        _pool = pool;
        Index = index;
        _engine = engine;
        _raw = raw;
        _toolkitStartSeq = toolkitStartSeq;
        if (raw)
        {
            _handshaking = false;
            _checker.Reset(0);
            _ready.TrySetResult();
        }
    }

    public int Index { get; }

    public int Fd { get; private set; } = -1;

    /// <summary>Completes with the handshake reply (faults if the server refused or closed).</summary>
    public Task Ready => _ready.Task;

    /// <summary>The highest seq received (read by the publisher for its window).</summary>
    public long LastSeq => Volatile.Read(ref _lastSeq);

    public long Delivered => Volatile.Read(ref _delivered);

    /// <summary>Reads that returned data: deliveries per read says how well the server coalesces.</summary>
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

    /// <summary>
    /// Blocking connect and send of the <c>connection</c> frame (on a connector thread), then the
    /// descriptor goes non-blocking to the engine, which reads the reply. Await <see cref="Ready"/>.
    /// </summary>
    public unsafe void Connect(IPEndPoint endPoint, BenchUser? user)
    {
        int fd = Native.Socket(Native.AfInet, Native.SockStream | Native.SockCloexec, 0);
        if (fd < 0)
        {
            throw new IOException($"socket: {Native.Describe(Native.Errno)}");
        }

        try
        {
            int one = 1;
            Native.SetSockOpt(fd, Native.IpProtoTcp, Native.TcpNoDelay, &one, sizeof(int));
            var address = new Native.SockAddrIn
            {
                Family = Native.AfInet,
                PortNetworkOrder = (ushort)IPAddress.HostToNetworkOrder((short)endPoint.Port),
                AddressNetworkOrder = (uint)BinaryPrimitives.ReadInt32LittleEndian(endPoint.Address.GetAddressBytes()),
            };
            while (Native.Connect(fd, &address, sizeof(Native.SockAddrIn)) != 0)
            {
                int errno = Native.Errno;
                if (errno != Native.EIntr)
                {
                    throw new IOException($"connect: {Native.Describe(errno)}");
                }
            }

            if (_toolkitStartSeq is not null)
            {
                Native.WriteAll(fd, ToolkitConnectFrame(Index));
            }
            else if (!_raw)
            {
                Native.WriteAll(fd, (user ?? throw new ArgumentNullException(nameof(user))).ConnectFrame);
            }

            Native.Fcntl(fd, Native.FSetFl, Native.Fcntl(fd, Native.FGetFl, 0) | Native.ONonBlock);
        }
        catch
        {
            Native.Close(fd);
            throw;
        }

        Fd = fd;
        if (_engine is null)
        {
            throw new InvalidOperationException("A client without an engine cannot connect.");
        }

        _engine.Add(this);
    }

    /// <summary>Stops reading: the server's data piles up in the kernel, then in the server.</summary>
    public void Stall()
    {
        _stalled = true;
        _engine?.SetReading(this, false);
    }

    public void Resume()
    {
        _stalled = false;
        _engine?.SetReading(this, true);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _closed = true;
        _ready.TrySetException(new IOException("closed by the bench"));
        if (Fd >= 0)
        {
            _engine?.Close(this);
        }
    }

    /// <summary>Bytes read from the socket (engine thread).</summary>
    internal void OnData(ReadOnlySpan<byte> data, long now)
    {
        Volatile.Write(ref _reads, _reads + 1);
        if (_toolkitStartSeq is not null)
        {
            ProcessToolkit(data, now);
            return;
        }

        Process(data, now);
    }

    /// <summary>The socket ended (engine thread).</summary>
    internal void OnClosed(string reason)
    {
        if (_closed)
        {
            return;
        }

        CloseReason = reason;
        ClosedByServer = Volatile.Read(ref _disposed) == 0;
        _closed = true;
        ReleaseCarry();
        if (_handshaking)
        {
            _ready.TrySetException(new IOException($"The server closed the connection during the handshake ({reason})."));
        }
        else if (ClosedByServer)
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
        if (_handshaking)
        {
            OnHandshakeReply(payload);
            return;
        }

        if (_raw)
        {
            OnRawFrame(payload, now);
            return;
        }

        switch (BroadcastParser.Parse(payload, out long seq, out long stamp))
        {
            case FrameKind.Broadcast:
                OnBroadcast(seq, stamp, now);
                break;
            case FrameKind.Ping:
                Pings++;
                SendPong();
                break;
            case FrameKind kind:
                OnOtherFrame(kind, payload);
                break;
        }
    }

    private void OnOtherFrame(FrameKind kind, ReadOnlySpan<byte> payload)
    {
        if (kind == FrameKind.Error)
        {
            ErrorFrames++;
            _pool.OnErrorFrame(System.Text.Encoding.UTF8.GetString(payload));
        }
        else if (kind == FrameKind.Malformed)
        {
            MalformedFrames++;
        }
    }

    private void OnBroadcast(long seq, long stamp, long now)
    {
        _checker.Observe(seq);
        Volatile.Write(ref _lastSeq, _checker.Last);
        Volatile.Write(ref _delivered, _delivered + 1);
        if (stamp > 0)
        {
            _pool.RecorderFor(this).RecordSince(stamp, now);
        }
    }

    /// <summary>The C++ toolkit's frames: decoded by the codec (a copy per frame: such clients are the few).</summary>
    private void ProcessToolkit(ReadOnlySpan<byte> data, long now)
    {
        if (_toolkitBytes.Length < _toolkitCount + data.Length)
        {
            Array.Resize(ref _toolkitBytes, Math.Max(_toolkitCount + data.Length, Math.Max(4096, _toolkitBytes.Length * 2)));
        }

        data.CopyTo(_toolkitBytes.AsSpan(_toolkitCount));
        _toolkitCount += data.Length;
        var pending = new ReadOnlySequence<byte>(_toolkitBytes, 0, _toolkitCount);
        try
        {
            while (!_closed && ToolkitFrameCodec.TryReadFrame(ref pending, ToolkitLimits.Default, out ToolkitFrame frame))
            {
                OnToolkitFrame(frame, now);
            }
        }
        catch (FrameFormatException ex)
        {
            ProtocolError(ex.Message);
            return;
        }

        int rest = (int)pending.Length;
        Buffer.BlockCopy(_toolkitBytes, _toolkitCount - rest, _toolkitBytes, 0, rest);
        _toolkitCount = rest;
    }

    private void OnToolkitFrame(ToolkitFrame frame, long now)
    {
        if (_handshaking)
        {
            bool admitted = false;
            try
            {
                using JsonDocument reply = JsonDocument.Parse(frame.Data);
                admitted = reply.RootElement.TryGetProperty("condition", out JsonElement condition) && condition.ValueKind == JsonValueKind.True;
            }
            catch (JsonException)
            {
            }

            if (frame.Mode != ToolkitMode.Connection || !admitted)
            {
                OnClosed("toolkit handshake refused: " + System.Text.Encoding.UTF8.GetString(frame.Data));
                return;
            }

            HandshakeLastSeq = _toolkitStartSeq!.Value;
            _checker.Reset(HandshakeLastSeq);
            Volatile.Write(ref _lastSeq, HandshakeLastSeq);
            _handshaking = false;
            _ready.TrySetResult();
            return;
        }

        if (frame.Data.AsSpan().StartsWith(ToolkitMessages.HeartbeatPingUtf8))
        {
            Pings++;
            unsafe
            {
                fixed (byte* pong = ToolkitPongFrame)
                {
                    Native.Write(Fd, pong, ToolkitPongFrame.Length);
                }
            }

            return;
        }

        FrameKind kind = BroadcastParser.Parse(frame.Data, out long seq, out long stamp);
        if (kind == FrameKind.Broadcast)
        {
            OnBroadcast(seq, stamp, now);
        }
        else
        {
            OnOtherFrame(kind, frame.Data);
        }
    }

    private static readonly byte[] ToolkitPongFrame = ToolkitFrameCodec.Encode(ToolkitMode.Message, ToolkitMessages.HeartbeatPongUtf8);

    /// <summary>The original UserClient's Connection frame (WIRE.md), compressed as it compresses.</summary>
    private static byte[] ToolkitConnectFrame(int index) => ToolkitFrameCodec.Encode(
        ToolkitMode.Connection,
        System.Text.Encoding.UTF8.GetBytes($$"""{"id":"BenchToolkit{{index}}","sub_id":"","registered_key":"MainServer","condition":true}"""),
        compress: true);

    private void OnRawFrame(ReadOnlySpan<byte> payload, long now)
    {
        if (payload.Length < 16)
        {
            MalformedFrames++;
            return;
        }

        _checker.Observe(BinaryPrimitives.ReadInt64LittleEndian(payload) + 1);
        Volatile.Write(ref _lastSeq, _checker.Last);
        Volatile.Write(ref _delivered, _delivered + 1);
        _pool.RecorderFor(this).RecordSince(BinaryPrimitives.ReadInt64LittleEndian(payload[8..]), now);
    }

    private void OnHandshakeReply(ReadOnlySpan<byte> payload)
    {
        ConnectResponse? reply = null;
        try
        {
            reply = JsonSerializer.Deserialize(payload, ContractsJsonContext.Default.ConnectResponse);
        }
        catch (JsonException)
        {
        }

        if (reply is not { Condition: true, Command: "connection" })
        {
            string text = reply?.Error ?? System.Text.Encoding.UTF8.GetString(payload);
            OnClosed("handshake refused: " + text);
            return;
        }

        HandshakeLastSeq = reply.LastSeq ?? 0;
        _checker.Reset(HandshakeLastSeq);
        Volatile.Write(ref _lastSeq, HandshakeLastSeq);
        _handshaking = false;
        _ready.TrySetResult();
    }

    private unsafe void SendPong()
    {
        // Non-blocking: a pong that does not fit in an empty send buffer is not worth waiting for.
        fixed (byte* pong = PongFrame)
        {
            Native.Write(Fd, pong, PongFrame.Length);
        }
    }

    private void ProtocolError(string reason)
    {
        MalformedFrames++;
        OnClosed("protocol error: " + reason);
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
