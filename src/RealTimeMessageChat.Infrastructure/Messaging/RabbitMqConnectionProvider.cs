using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RealTimeMessageChat.Infrastructure.Security;

namespace RealTimeMessageChat.Infrastructure.Messaging;

/// <summary>
/// The process's one long-lived RabbitMQ connection, opened on first use. The client's automatic
/// recovery reopens it (and its channels and consumers) after a broker restart.
/// </summary>
public sealed partial class RabbitMqConnectionProvider(IOptions<RabbitMqOptions> options, ILogger<RabbitMqConnectionProvider> logger)
    : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    /// <summary>Name shown in the broker's connection list.</summary>
    public string ClientName { get; set; } = "realtimemessagechat";

    public async Task<IConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } existing)
        {
            return existing;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                RabbitMqOptions o = options.Value;
                var factory = new ConnectionFactory
                {
                    HostName = o.Host,
                    Port = o.Port,
                    UserName = o.User,
                    Password = o.Password,
                    VirtualHost = o.VirtualHost,
                    AutomaticRecoveryEnabled = true,
                    TopologyRecoveryEnabled = true,
                    NetworkRecoveryInterval = TimeSpan.FromSeconds(o.ReconnectIntervalSeconds),
                    RequestedHeartbeat = TimeSpan.FromSeconds(30),
                    ClientProvidedName = ClientName,
                    SocketFactory = CoalescingTcpClient.Create,
                    Ssl = new SslOption
                    {
                        Enabled = o.UseSsl,
                        ServerName = o.Host,
                        Version = TlsTrust.Protocols,
                        CertificateValidationCallback = TlsTrust.Callback(o.SslCaPath),
                    },
                };
                _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
                LogConnected(logger, o.Host, o.Port, o.VirtualHost);
            }

            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>True when a connection exists and is open (for readiness checks).</summary>
    public bool IsOpen => _connection?.IsOpen == true;

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            try
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogCloseFailed(logger, ex);
            }

            connection.Dispose();
        }

        _gate.Dispose();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Connected to RabbitMQ at {Host}:{Port} vhost {VirtualHost}")]
    private static partial void LogConnected(ILogger logger, string host, int port, string virtualHost);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Closing the RabbitMQ connection failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);
}
