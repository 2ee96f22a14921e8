using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Delivery;
using RealTimeMessageChat.MainServer.Options;
using RealTimeMessageChat.MainServer.Presence;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>
/// Accept loop. Binds in <see cref="StartAsync"/> so a taken port fails the start and the bound
/// port (for <c>server_port=0</c>) is known once the host has started. On stop: close the
/// listener, ask every connection to finish its queued frames, wait up to
/// <c>shutdown_timeout_sec</c>, then abort the rest.
/// </summary>
internal sealed partial class TcpListenerService(
    IOptions<MainServerOptions> options,
    ConnectionRegistry registry,
    CommandHandler handler,
    TieredMessageReader history,
    IFrameCodec codec,
    PresenceWriter presence,
    MainServerMetrics metrics,
    ILoggerFactory loggerFactory) : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggerFactory.CreateLogger<TcpListenerService>();
    private readonly ILogger _connectionLogger = loggerFactory.CreateLogger<ClientConnection>();
    private readonly ILogger _deliveryLogger = loggerFactory.CreateLogger<ClientDelivery>();
    private readonly ConnectionSettings _settings = ConnectionSettings.From(options.Value);
    private readonly DeliveryLimits _limits = DeliveryLimits.From(options.Value);
    private readonly AddressConnectionCounts _perAddress = new(options.Value.MaxConnectionsPerAddress);
    private Socket? _listener;
    private TlsServerContext? _tls;
    private long _nextId;
    private long _lastRefusalLog = long.MinValue / 2;

    /// <summary>The address actually bound; null before start.</summary>
    public IPEndPoint? BoundEndPoint { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        MainServerOptions o = options.Value;

        // Once, before the port opens: a bad file stops the start, and no handshake reads a file.
        TlsServerContext? tls = o.UseSsl ? TlsServerContext.Load(o.SslCertificatePath, o.SslKeyPath) : null;
        var endPoint = new IPEndPoint(IPAddress.Parse(o.ServerHost), o.ServerPort);
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _tls = tls;
        BoundEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        // A nonce per start: a restarted server (same host and port) must not be taken for, or
        // swept as, the process it replaces.
        string nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        string name = string.IsNullOrEmpty(o.ServerId) ? $"{Environment.MachineName}:{BoundEndPoint.Port}" : o.ServerId;
        presence.ServerId = $"{name}#{nonce}";

        if (tls is null)
        {
            LogListening(_logger, BoundEndPoint);
        }
        else
        {
            X509Certificate2 certificate = tls.Certificate;
            LogListeningTls(_logger, BoundEndPoint, certificate.Subject, certificate.NotAfter);
            DateTime now = DateTime.Now;
            if (now > certificate.NotAfter || now < certificate.NotBefore)
            {
                LogCertificateNotValidNow(_logger, certificate.Subject, certificate.NotBefore, certificate.NotAfter);
            }
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Socket listener = _listener!;
        TimeSpan backoff = MinBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stoppingToken);
                backoff = MinBackoff;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // Resource pressure: back off instead of spinning on accept.
                LogAcceptBackoff(_logger, ex.SocketErrorCode, backoff.TotalMilliseconds);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                continue;
            }
            catch (SocketException ex)
            {
                // A client reset the connection before we accepted it: its problem, not ours.
                LogAcceptFailed(_logger, ex.SocketErrorCode);
                continue;
            }

            if (registry.Count >= options.Value.MaxConnections)
            {
                if (RefusalLogDue())
                {
                    LogConnectionRefused(_logger, socket.RemoteEndPoint, options.Value.MaxConnections);
                }

                Refuse(socket, $"The server is full: max_connections ({options.Value.MaxConnections}) reached. Try again later.");
                continue;
            }

            IPAddress address = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (!_perAddress.TryAcquire(address))
            {
                metrics.ConnectionRefusedPerAddress();
                if (RefusalLogDue())
                {
                    LogConnectionRefusedPerAddress(_logger, address, _perAddress.Limit);
                }

                Refuse(socket, $"Too many connections from your address: max_connections_per_address ({_perAddress.Limit}).");
                continue;
            }

            socket.NoDelay = true;
            IConnectionTransport transport = _tls is null ? new SocketTransport(socket) : new TlsTransport(socket, _tls);
            var connection = new ClientConnection(Interlocked.Increment(ref _nextId), transport, codec, handler, _settings, _connectionLogger);
            connection.Attach(new ClientDelivery(connection, history, codec, _limits, metrics, _deliveryLogger));
            metrics.ConnectionAccepted();
            registry.Add(connection);

            // Off the accept loop: a client that sent its handshake already would otherwise be
            // authenticated (JWT checked) here, one at a time, before the next accept. Running is
            // set here, before the connection can run: set from inside the work item, a stop that
            // came between the client's first reply and that assignment found no task to wait for,
            // and returned with the connection still registered (seen once in a dozen test runs).
            connection.Running = Task.Run(() => RunConnectionAsync(registry, metrics, _perAddress, address, connection));
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _listener?.Dispose();

        ClientConnection[] open = registry.Snapshot();
        if (open.Length == 0)
        {
            return;
        }

        LogStopping(_logger, open.Length);
        foreach (ClientConnection connection in open)
        {
            connection.RequestClose("server shutting down");
        }

        Task all = Task.WhenAll(open.Select(c => c.Running ?? Task.CompletedTask));
        TimeSpan timeout = TimeSpan.FromSeconds(options.Value.ShutdownTimeoutSeconds);
        await Task.WhenAny(all, Task.Delay(timeout, cancellationToken));
        if (!all.IsCompleted)
        {
            foreach (ClientConnection connection in registry.Snapshot())
            {
                connection.Abort("server shutting down");
            }

            await all.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task RunConnectionAsync(ConnectionRegistry registry, MainServerMetrics metrics, AddressConnectionCounts perAddress, IPAddress address, ClientConnection connection)
    {
        try
        {
            await connection.RunAsync();
        }
        finally
        {
            registry.Remove(connection);
            perAddress.Release(address);
            metrics.ConnectionClosed();
        }
    }

    /// <summary>
    /// The contract's error frame with the reason, in one non-blocking send, then the close: a
    /// refused client learns why. Ours is the only framing a client has announced by then; a TLS
    /// client, before its handshake, could read nothing, so it is reset at once. Closed without
    /// lingering on the frame: the kernel sends it and the FIN, and no thread waits for either.
    /// </summary>
    private void Refuse(Socket socket, string reason)
    {
        try
        {
            if (_tls is null)
            {
                socket.Blocking = false;
                socket.Send(FrameCodec.Encode(TcpFrameJson.Serialize(new ErrorFrame { Message = reason }, ContractsJsonContext.Default.ErrorFrame)), SocketFlags.None, out _);
                socket.Shutdown(SocketShutdown.Send);
                socket.Close();
                return;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Gone already.
        }

        socket.Close(0);
    }

    /// <summary>A flood of refused connections logs one line a second, not one per connection.</summary>
    private bool RefusalLogDue()
    {
        long now = Environment.TickCount64, last = Volatile.Read(ref _lastRefusalLog);
        return now - last >= 1000 && Interlocked.CompareExchange(ref _lastRefusalLog, now, last) == last;
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "MainServer listening for TCP clients on {EndPoint}")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "MainServer listening for TLS clients on {EndPoint} (use_ssl; certificate {Subject}, valid until {NotAfter:u})")]
    private static partial void LogListeningTls(ILogger logger, IPEndPoint endPoint, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "The certificate {Subject} (ssl_certificate_path) is not valid now: valid from {NotBefore:u} to {NotAfter:u}; clients will refuse it")]
    private static partial void LogCertificateNotValidNow(ILogger logger, string subject, DateTime notBefore, DateTime notAfter);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Accept failed with {SocketError}; backing off {BackoffMs} ms")]
    private static partial void LogAcceptBackoff(ILogger logger, SocketError socketError, double backoffMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Accept failed with {SocketError}")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError socketError);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Refused {RemoteEndPoint}: max_connections ({MaxConnections}) reached")]
    private static partial void LogConnectionRefused(ILogger logger, EndPoint? remoteEndPoint, int maxConnections);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Refused a connection from {Address}: max_connections_per_address ({Limit}) open already (logged at most once a second)")]
    private static partial void LogConnectionRefusedPerAddress(ILogger logger, IPAddress address, int limit);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Stopping: asking {Count} connections to finish")]
    private static partial void LogStopping(ILogger logger, int count);
}
