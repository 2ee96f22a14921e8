using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using RealTimeMessageChat.MainServer.Options;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// One client socket: a read loop (frames in, handled one at a time), a write loop (drains the
/// bounded outbound queue, one flush per batch) and a watchdog (handshake timeout, heartbeats).
/// The first loop to end ends the connection; <see cref="RunAsync"/> never throws.
/// </summary>
internal sealed partial class ClientConnection
{
    // Bound what one flush may buffer: the pipe holds unflushed bytes in memory.
    private const long MaxUnflushedBytes = 256 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly ClientConnectionFactory _services;
    private readonly MainServerOptions _options;
    private readonly IFrameCodec _codec;
    private readonly ILogger _logger;
    private readonly Channel<ReadOnlyMemory<byte>> _outbound;
    private readonly CancellationTokenSource _cts = new();
    private readonly bool _catchUpWhenSlow;
    private PipeReader? _input;
    private PipeWriter? _output;
    private int _aborted;
    private string? _closeReason;
    private long _lastInboundTicks = Environment.TickCount64;

    public ClientConnection(long id, Socket socket, ClientConnectionFactory services)
    {
        Id = id;
        _socket = socket;
        _services = services;
        _options = services.Options;
        _codec = services.Codec;
        _logger = services.Logger;
        _catchUpWhenSlow = _options.SlowClientPolicy == SlowClientPolicies.CatchUp;
        RemoteEndPoint = socket.RemoteEndPoint;
        _outbound = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(_options.SendQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public long Id { get; }

    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Why the connection ended (first reason recorded wins); null while open.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    public async Task RunAsync()
    {
        var stream = new NetworkStream(_socket, ownsSocket: false);
        try
        {
            _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: _options.BufferSize, leaveOpen: true));
            _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
            LogConnectionOpened(_logger, Id, RemoteEndPoint);

            Task reading = ReadLoopAsync(_input);
            Task writing = WriteLoopAsync(_output);
            Task watchdog = WatchdogAsync();

            if (await Task.WhenAny(reading, writing) == reading)
            {
                // Nothing more comes in: let what is queued (an error reply, say) go out, briefly.
                _outbound.Writer.TryComplete();
                if (await Task.WhenAny(writing, Task.Delay(DrainTimeout)) != writing)
                {
                    Abort("send queue not drained in time");
                }
            }

            Abort("connection closed");
            await Task.WhenAll(reading, writing, watchdog);
            await CatchUpTask;
        }
        catch (Exception ex)
        {
            LogUnexpected(_logger, ex, Id);
            Abort("internal error");
        }
        finally
        {
            await CompletePipesAsync(stream);
            await MarkOfflineAsync();
            LogConnectionClosed(_logger, Id, UserId, CloseReason);
        }
    }

    /// <summary>
    /// Queues a frame without waiting. A full queue means the client cannot keep up: it is
    /// disconnected (or, with <c>slow_client_policy=catch_up</c>, the frame is dropped and false returned).
    /// </summary>
    public bool TrySend(ReadOnlyMemory<byte> frame)
    {
        if (_outbound.Writer.TryWrite(frame))
        {
            return true;
        }

        if (!IsClosing && !_catchUpWhenSlow)
        {
            EvictSlow();
        }

        return false;
    }

    /// <summary>Stops taking frames; the write loop sends what is queued, then the connection closes.</summary>
    public void RequestClose(string reason)
    {
        SetCloseReason(reason);
        lock (_deliveryLock)
        {
            _state = DeliveryState.Closed;
        }

        _outbound.Writer.TryComplete();
    }

    /// <summary>Closes the socket now, exactly once; queued frames are dropped.</summary>
    public void Abort(string reason)
    {
        SetCloseReason(reason);
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }

        lock (_deliveryLock)
        {
            _state = DeliveryState.Closed;
        }

        _outbound.Writer.TryComplete();
        _cts.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already reset by the peer.
        }

        _socket.Close();
    }

    private bool IsAborted => Volatile.Read(ref _aborted) == 1;

    private bool IsClosing => CloseReason is not null;

    private void SetCloseReason(string reason) => Interlocked.CompareExchange(ref _closeReason, reason, null);

    private void EvictSlow()
    {
        if (IsClosing)
        {
            return;
        }

        _services.Metrics.SlowClientEvicted();
        LogSendQueueFull(_logger, Id, UserId, _options.SendQueueCapacity);
        Abort("send queue full");
    }

    private async Task ReadLoopAsync(PipeReader input)
    {
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(_cts.Token);
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool keepReading = true;
                try
                {
                    if (result.IsCanceled)
                    {
                        return;
                    }

                    while (keepReading && _codec.TryReadFrame(ref buffer, out ReadOnlySequence<byte> payload))
                    {
                        Volatile.Write(ref _lastInboundTicks, Environment.TickCount64);

                        // The payload is valid only until AdvanceTo: parse it into owned values first.
                        InboundFrame frame = InboundFrame.Parse(payload);
                        keepReading = await HandleFrameAsync(frame);
                    }

                    if (!keepReading)
                    {
                        return;
                    }

                    if (result.IsCompleted)
                    {
                        if (!buffer.IsEmpty)
                        {
                            throw new FrameFormatException("Connection closed in the middle of a frame.");
                        }

                        SetCloseReason("client closed the connection");
                        return;
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (FrameFormatException ex)
        {
            RejectBadFrame(ex.Message);
        }
        catch (Contracts.Tcp.TcpFrameException ex)
        {
            RejectBadFrame(ex.Message);
        }
        catch (Exception ex)
        {
            OnLoopException(ex, "read");
        }
    }

    private async Task WriteLoopAsync(PipeWriter output)
    {
        ChannelReader<ReadOnlyMemory<byte>> queue = _outbound.Reader;
        try
        {
            while (await queue.WaitToReadAsync(_cts.Token))
            {
                while (output.UnflushedBytes < MaxUnflushedBytes && queue.TryRead(out ReadOnlyMemory<byte> frame))
                {
                    output.Write(frame.Span);
                }

                FlushResult flush = await output.FlushAsync(_cts.Token);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return;
                }
            }

            SetCloseReason("closed by the server");
        }
        catch (Exception ex)
        {
            OnLoopException(ex, "write");
        }
    }

    private void OnLoopException(Exception ex, string loop)
    {
        switch (ex)
        {
            case OperationCanceledException or ObjectDisposedException or ChannelClosedException:
                LogLoopStopped(_logger, Id, loop);
                break;
            case IOException or SocketException when IsAborted:
                LogLoopStopped(_logger, Id, loop);
                break;
            case IOException or SocketException:
                SetCloseReason("client disconnected");
                LogClientDisconnected(_logger, Id, UserId, ex.Message);
                break;
            default:
                SetCloseReason($"{loop} loop failed");
                LogLoopFailed(_logger, ex, Id, loop);
                break;
        }
    }

    private async Task CompletePipesAsync(NetworkStream stream)
    {
        try
        {
            if (_input is not null)
            {
                await _input.CompleteAsync();
            }

            if (_output is not null)
            {
                await _output.CompleteAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The socket is gone; nothing left to flush.
        }

        await stream.DisposeAsync();
        _socket.Dispose();
    }
}
