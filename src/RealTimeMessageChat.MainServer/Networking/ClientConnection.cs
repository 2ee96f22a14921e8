using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using RealTimeMessageChat.MainServer.Delivery;
using RealTimeMessageChat.Protocol;
using RealTimeMessageChat.Protocol.Toolkit;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// One client and its two loops, modelled on Kestrel's SocketConnection: a receive loop that
/// waits with zero-byte reads (an idle connection holds no buffer) and hands each frame to the
/// <see cref="CommandHandler"/>, and an <see cref="OutboundWriter"/> that sends everything due in
/// one gathered send. The bytes travel through an <see cref="IConnectionTransport"/> (plaintext
/// or TLS). What is due is the <see cref="ClientDelivery"/>'s business; timeouts and heartbeats
/// come from the shared <see cref="ConnectionTimer"/>. <see cref="RunAsync"/> never throws.
/// </summary>
internal sealed partial class ClientConnection : IDeliveryTarget, IFrameTransport
{
    private readonly IConnectionTransport _transport;
    private readonly CommandHandler _handler;
    private readonly ConnectionSettings _settings;
    private readonly ILogger _logger;
    private readonly OutboundWriter _writer;
    private int _aborted;
    private string? _closeReason;
    private long _closeRequestedAt;
    private volatile bool _authenticated;

    public ClientConnection(long id, IConnectionTransport transport, IFrameCodec codec, CommandHandler handler, ConnectionSettings settings, ILogger logger)
    {
        Id = id;
        _transport = transport;
        Codec = codec;
        _handler = handler;
        _settings = settings;
        _logger = logger;
        _writer = new OutboundWriter(this);
        OpenedAt = Environment.TickCount64;
        _lastInboundAt = OpenedAt;

        // The first ping comes between half an interval and one interval after the connect, spread
        // by id, so clients that connected together (10,000 in a second after a restart) are not
        // pinged, and do not answer, in one burst every interval that lands on a broadcast.
        long half = Math.Max(1, settings.HeartbeatIntervalMs / 2);
        _lastPingAt = OpenedAt - (long)(((ulong)id * 0x9E3779B97F4A7C15UL >> 33) % (ulong)half);
    }

    public long Id { get; }

    public EndPoint? RemoteEndPoint => _transport.RemoteEndPoint;

    /// <summary>The transport under this connection (plaintext or TLS).</summary>
    internal IConnectionTransport Transport => _transport;

    /// <summary>This connection's framing: ours, or the C++ toolkit's when the first byte is 0xFD.</summary>
    public IFrameCodec Codec { get; private set; }

    /// <summary>The connection speaks the C++ toolkit's framing (set on its first byte, before any frame).</summary>
    public ToolkitMessageCodec? Toolkit { get; private set; }

    /// <summary>A C++ toolkit client (once authenticated, by the shared key): a receive-only guest, no user account.</summary>
    public bool IsGuest => Toolkit is not null;

    /// <summary>What this client has been given, per room; set before the connection runs.</summary>
    public ClientDelivery Delivery { get; private set; } = null!;

    public long OpenedAt { get; }

    public string? UserId { get; private set; }

    public string? SessionId { get; private set; }

    public bool IsAuthenticated => _authenticated;

    /// <summary>The login session (token id) this connection came in on; set by <see cref="SessionRevoker.Track"/>.</summary>
    public string? TokenId { get; set; }

    /// <summary>The user under which <see cref="SessionRevoker"/> tracks it (set before the handshake has finished).</summary>
    public string? TrackedUserId { get; set; }

    /// <summary>The slot in the <see cref="ConnectionRegistry"/>.</summary>
    public int RegistrySlot { get; set; } = -1;

    /// <summary>Why the connection ended (first reason recorded wins); null while open.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>The task of <see cref="RunAsync"/> once started.</summary>
    public Task? Running { get; set; }

    private bool IsAborted => Volatile.Read(ref _aborted) == 1;

    public void Attach(ClientDelivery delivery)
    {
        Delivery = delivery;
        _writer.Attach(delivery);
    }

    /// <summary>Called by the handler once the handshake succeeded, before the client joins any room.</summary>
    public void MarkAuthenticated(string userId, string sessionId)
    {
        UserId = userId;
        SessionId = sessionId;
        _authenticated = true;
    }

    public async Task RunAsync()
    {
        LogConnectionOpened(_logger, Id, RemoteEndPoint);
        try
        {
            if (_transport.IsEstablished || await StartTransportAsync())
            {
                await ReceiveLoopAsync();

                // Nothing more comes in: let what is queued (an error reply, say) go out; the timer
                // aborts the connection if that takes longer than the drain timeout.
                RequestClose("connection closed");
                await _writer.Completion;
            }
        }
        catch (Exception ex)
        {
            LogUnexpected(_logger, ex, Id);
            Abort("internal error");
        }
        finally
        {
            Abort("connection closed");
            _transport.Dispose();
            _handler.OnClosed(this);
            LogConnectionClosed(_logger, Id, UserId, CloseReason);
        }
    }

    /// <summary>The TLS handshake, before the first frame is read; false (logged, counted) when it failed.</summary>
    private async Task<bool> StartTransportAsync()
    {
        try
        {
            await _transport.StartAsync();
            return true;
        }
        catch (Exception ex)
        {
            // Whatever the handshake threw, the client caused it: no stack trace in the log.
            if (!IsAborted)
            {
                _handler.Metrics.TlsHandshakeFailed();
                LogTlsHandshakeFailed(_logger, Id, RemoteEndPoint, Describe(ex));
            }

            SetCloseReason("TLS handshake failed");
            return false;
        }
    }

    private static string Describe(Exception ex) =>
        ex.InnerException is { } inner && inner.Message != ex.Message ? $"{ex.Message} ({inner.Message})" : ex.Message;

    /// <summary>Queues a control frame (reply, ping, error) ahead of broadcasts; a client with too many unsent is evicted.</summary>
    public void Send(byte[] frame)
    {
        if (!_writer.TryEnqueue(frame) && !_writer.IsCompleting)
        {
            EvictSlow($"{OutboundWriter.MaxControlFrames} replies unsent");
        }
    }

    /// <summary>Stops delivery; the writer sends the queued control frames, then the connection closes.</summary>
    public void RequestClose(string reason)
    {
        SetCloseReason(reason);
        Interlocked.CompareExchange(ref _closeRequestedAt, Environment.TickCount64, 0);
        _writer.Complete();
    }

    /// <summary>Closes the socket now, exactly once; queued frames are dropped.</summary>
    public void Abort(string reason)
    {
        SetCloseReason(reason);
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }

        _writer.Abort();
        _transport.Close();
    }

    public void Schedule() => _writer.Schedule();

    public void RunNow() => _writer.RunNow();

    /// <summary>Switches to the C++ toolkit's framing; called by the receive loop on the first byte, before any frame.</summary>
    private void UseToolkitFraming()
    {
        var codec = new ToolkitMessageCodec(new ToolkitLimits { MaxBodyBytes = _settings.MaxFrameBytes }, _settings.ToolkitCompress);
        Toolkit = codec;
        Codec = codec;
        Delivery.UseToolkitFraming(codec);
    }

    public void EvictSlow(string detail)
    {
        if (CloseReason is not null)
        {
            return;
        }

        _handler.Metrics.SlowClientEvicted();
        LogSlowClient(_logger, Id, UserId, detail);

        // The contract's wording: the client cannot keep up, its send queue is full.
        Abort("send queue full");
    }

    ValueTask IFrameTransport.SendAsync(IList<ArraySegment<byte>> segments) => _transport.SendAsync(segments);

    void IFrameTransport.OnWriterCompleted(Exception? error)
    {
        if (error is not null)
        {
            OnLoopException(error, "write");
            Abort("client disconnected");
            return;
        }

        // Everything queued went out: end the stream (TLS: close_notify), then close the socket,
        // which also ends the receive loop. A shutdown that hangs is cut by the drain timeout.
        ValueTask shutdown = _transport.ShutdownAsync();
        if (shutdown.IsCompletedSuccessfully)
        {
            Abort("closed by the server");
        }
        else
        {
            _ = AbortAfterShutdownAsync(shutdown);
        }
    }

    private async Task AbortAfterShutdownAsync(ValueTask shutdown)
    {
        try
        {
            await shutdown;
        }
        catch (Exception)
        {
            // The client went away first (or the stream was closed under us): nothing left to tell
            // it, and this task has no one to observe an exception.
        }

        Abort("closed by the server");
    }

    private void SetCloseReason(string reason) => Interlocked.CompareExchange(ref _closeReason, reason, null);

    private void OnLoopException(Exception ex, string loop)
    {
        switch (ex)
        {
            case OperationCanceledException or ObjectDisposedException:
                LogLoopStopped(_logger, Id, loop);
                break;
            case IOException or SocketException or AuthenticationException when IsAborted:
                LogLoopStopped(_logger, Id, loop);
                break;

            // TLS: a bad record or an alert from the client after the handshake is the client's doing too.
            case IOException or SocketException or AuthenticationException:
                SetCloseReason("client disconnected");
                LogClientDisconnected(_logger, Id, UserId, ex.Message);
                break;
            default:
                SetCloseReason($"{loop} loop failed");
                LogLoopFailed(_logger, ex, Id, loop);
                break;
        }
    }
}
