using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.UserClient.Networking;

/// <summary>
/// One TCP session with the MainServer, the same shape as the server's ClientConnection: a read
/// loop parsing frames from a <see cref="PipeReader"/>, and a write loop draining a bounded
/// outbound channel into a <see cref="PipeWriter"/>. The first loop to end ends the session.
/// With <c>use_ssl</c> the pipes run over an <see cref="SslStream"/> (<see cref="ClientTls"/>).
/// </summary>
internal sealed partial class ChatConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<byte[]> _outbound;
    private readonly int _maxFrameBytes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();

    private ChatConnection(Socket socket, Stream stream, int maxFrameBytes, int sendQueueCapacity, ILogger logger)
    {
        _socket = socket;
        _stream = stream;
        _input = PipeReader.Create(_stream);
        _output = PipeWriter.Create(_stream);
        _maxFrameBytes = maxFrameBytes;
        _logger = logger;
        _outbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(sendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Ticks (<see cref="Environment.TickCount64"/>) of the last frame received; heartbeat uses it to spot a dead server.</summary>
    public long LastReceivedTicks { get; private set; } = Environment.TickCount64;

    /// <summary>
    /// Connects and, with <paramref name="tls"/>, completes the TLS handshake within
    /// <paramref name="handshakeTimeout"/>; throws <see cref="ServerCertificateRejectedException"/>
    /// when the server's certificate does not validate.
    /// </summary>
    public static async Task<ChatConnection> ConnectAsync(
        string host,
        int port,
        ClientTls? tls,
        TimeSpan handshakeTimeout,
        int maxFrameBytes,
        int sendQueueCapacity,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (tls is not null)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(handshakeTimeout);
                try
                {
                    stream = await tls.AuthenticateAsync(stream, timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"the TLS handshake with {host}:{port} did not finish within {handshakeTimeout.TotalSeconds:0.##} s");
                }
            }

            return new ChatConnection(socket, stream, maxFrameBytes, sendQueueCapacity, logger);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends the connection frame and waits for the answer. Throws <see cref="ConnectionRejectedException"/>
    /// when the server refuses (bad or expired token) or closes instead of answering.
    /// </summary>
    public async Task<ConnectResponse> HandshakeAsync(ConnectRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        FrameCodec.WriteFrame(_output, TcpFrameJson.Serialize(request, ContractsJsonContext.Default.ConnectRequest));
        await _output.FlushAsync(cancellationToken);

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        while (true)
        {
            ConnectResponse? response = null;
            string? otherCommand = null;
            bool frameRead = await ReadOneFrameAsync(
                (command, root) =>
                {
                    if (command == ChatCommands.Connection)
                    {
                        response = root.Deserialize(ContractsJsonContext.Default.ConnectResponse);
                    }
                    else
                    {
                        otherCommand = command;
                        if (command == ChatCommands.Error && root.TryGetProperty("message", out JsonElement message))
                        {
                            otherCommand = $"error: {message}";
                        }
                    }
                },
                timeoutSource.Token);
            if (!frameRead)
            {
                throw new ConnectionRejectedException("the server closed the connection during the handshake");
            }

            if (response is not null)
            {
                return response.Condition
                    ? response
                    : throw new ConnectionRejectedException(response.Error ?? "connection refused");
            }

            if (otherCommand?.StartsWith(ChatCommands.Error, StringComparison.Ordinal) == true)
            {
                throw new ConnectionRejectedException(otherCommand);
            }

            // A ping before the answer is harmless: skip anything that is not the answer.
        }
    }

    /// <summary>
    /// Runs both loops until the server closes, an I/O error, <see cref="Close"/> or cancellation.
    /// <paramref name="onFrame"/> sees each frame's command and root; the JSON is valid only during the call.
    /// </summary>
    public async Task RunAsync(Action<string, JsonElement> onFrame, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        Task reading = ReadLoopAsync(onFrame, linked.Token);
        Task writing = WriteLoopAsync(linked.Token);
        Task first = await Task.WhenAny(reading, writing);
        await linked.CancelAsync();
        _outbound.Writer.TryComplete();
        try
        {
            await Task.WhenAll(reading, writing);
        }
        catch (OperationCanceledException) when (first.IsCompletedSuccessfully || cancellationToken.IsCancellationRequested || _closing.IsCancellationRequested)
        {
        }

        // Surface the error of the loop that ended the session, if any.
        await first;
    }

    /// <summary>Queues a frame; false when the outbound queue is full or the session is over.</summary>
    public bool TrySend<T>(T frame, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        byte[] payload = TcpFrameJson.Serialize(frame, typeInfo);
        if (payload.Length > _maxFrameBytes)
        {
            LogFrameTooLarge(_logger, payload.Length, _maxFrameBytes);
            return false;
        }

        return _outbound.Writer.TryWrite(payload);
    }

    /// <summary>Ends the session; <see cref="RunAsync"/> returns.</summary>
    public void Close() => _closing.Cancel();

    private async Task ReadLoopAsync(Action<string, JsonElement> onFrame, CancellationToken cancellationToken)
    {
        while (await ReadOneFrameAsync(onFrame, cancellationToken))
        {
        }
    }

    /// <summary>Reads until one whole frame was handled (true) or the stream ended (false).</summary>
    private async Task<bool> ReadOneFrameAsync(Action<string, JsonElement> onFrame, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool frameRead = false;
            try
            {
                if (result.IsCanceled)
                {
                    return false;
                }

                if (FrameCodec.TryReadFrame(ref buffer, _maxFrameBytes, out ReadOnlySequence<byte> payload))
                {
                    frameRead = true;
                    LastReceivedTicks = Environment.TickCount64;

                    // The payload is valid only until AdvanceTo in finally: parse it here.
                    string command;
                    JsonDocument document;
                    try
                    {
                        document = TcpFrameJson.Parse(payload, out command);
                    }
                    catch (TcpFrameException ex)
                    {
                        LogBadFrame(_logger, ex.Message);
                        return true;
                    }

                    using (document)
                    {
                        onFrame(command, document.RootElement);
                    }

                    return true;
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        LogTruncatedFrame(_logger, buffer.Length);
                    }

                    return false;
                }
            }
            finally
            {
                // After a frame, bytes left over may already hold the next one: mark only the frame
                // consumed, not the rest examined, or the next ReadAsync would wait for new bytes.
                if (frameRead)
                {
                    _input.AdvanceTo(buffer.Start);
                }
                else
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        ChannelReader<byte[]> reader = _outbound.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            // Batch whatever is queued into one flush.
            while (reader.TryRead(out byte[]? payload))
            {
                FrameCodec.WriteFrame(_output, payload);
            }

            FlushResult flush = await _output.FlushAsync(cancellationToken);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outbound.Writer.TryComplete();
        await _input.CompleteAsync();
        try
        {
            // Completing the writer flushes what is buffered, which fails on a broken socket.
            await _output.CompleteAsync();
            if (_stream is SslStream tls)
            {
                // close_notify: the server can tell the end from a cut.
                await tls.ShutdownAsync();
            }

            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        await _stream.DisposeAsync();
        _closing.Dispose();
    }
}
