using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Security;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// Hands out the process's one <see cref="IConnectionMultiplexer"/>, created on first use. It
/// reconnects by itself; <c>AbortOnConnectFail=false</c> lets a process start while Redis is
/// briefly away. Anything that needs Redis in this process (our stores, a health check registered
/// with a factory) takes the multiplexer from here rather than opening a connection of its own.
/// Only Infrastructure sees Redis types.
/// </summary>
/// <remarks>
/// <c>redis_host</c>/<c>redis_port</c> may name any node of a Redis Cluster: the multiplexer
/// discovers the others and routes each command to the master of its key's slot. A cluster has
/// only database 0, so once a connected server says it is one, any other database in the
/// configuration makes every call throw <see cref="RtmcConfigurationException"/> naming the key
/// (<see cref="RedisTopologyCheck"/> does this at start, so the process does not start).
/// </remarks>
public sealed partial class RedisConnectionProvider(IOptions<RedisOptions> options, ILogger<RedisConnectionProvider> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;
    private CancellationTokenSource _restored = new();
    private volatile bool _topologyChecked;
    private volatile string? _misconfiguration;

    public RedisOptions Options => options.Value;

    /// <summary>Cancelled the next time the multiplexer's interactive connection is restored after a failure.</summary>
    public CancellationToken ConnectionRestored => Volatile.Read(ref _restored).Token;

    /// <summary>The shared multiplexer; the first call connects (waiting for no more than the connect timeout).</summary>
    public async Task<IConnectionMultiplexer> GetAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _multiplexer) is { } existing)
        {
            return Checked(existing);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_multiplexer is null)
            {
                ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(CreateConfiguration(options.Value)).ConfigureAwait(false);
                multiplexer.ConnectionFailed += OnConnectionFailed;
                multiplexer.ConnectionRestored += OnConnectionRestored;
                Volatile.Write(ref _multiplexer, multiplexer);
                LogConnected(logger, options.Value.Host, options.Value.Port, multiplexer.IsConnected);
            }

            return Checked(_multiplexer);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IDatabase> GetMessageDatabaseAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync(cancellationToken).ConfigureAwait(false)).GetDatabase(options.Value.GlobalMessageDatabase);

    public async Task<IDatabase> GetUserStatusDatabaseAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync(cancellationToken).ConfigureAwait(false)).GetDatabase(options.Value.UserStatusDatabase);

    /// <summary>
    /// <see cref="GetUserStatusDatabaseAsync"/> for the presence and session stores, whose callers
    /// expect <see cref="MessageLogException"/>: a connection that cannot be made is translated.
    /// </summary>
    public async Task<IDatabase> OpenUserStatusDatabaseAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await GetUserStatusDatabaseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsRedis(ex))
        {
            throw RedisErrors.Translate(ex);
        }
    }

    /// <summary>
    /// The message naming the configuration key that a Redis Cluster cannot serve (a database
    /// other than 0), or null when the options fit it.
    /// </summary>
    internal static string? ClusterDatabaseProblem(RedisOptions o)
    {
        foreach ((string key, int database) in new[] { ("redis_db_global_message_index", o.GlobalMessageDatabase), ("redis_db_user_status_index", o.UserStatusDatabase) })
        {
            if (database != 0)
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"Configuration key '{key}': is {database}, but the Redis at {o.Host}:{o.Port} is a Redis Cluster, which has only database 0; set '{key}' to 0.");
            }
        }

        return null;
    }

    private IConnectionMultiplexer Checked(IConnectionMultiplexer multiplexer)
    {
        if (!_topologyChecked)
        {
            CheckTopology(multiplexer);
        }

        return _misconfiguration is { } problem ? throw new RtmcConfigurationException(problem) : multiplexer;
    }

    // The first connected server tells whether this is a cluster (every node of one says so).
    // Until one is connected nothing is decided, and the check runs again on the next call.
    private void CheckTopology(IConnectionMultiplexer multiplexer)
    {
        foreach (EndPoint endPoint in multiplexer.GetEndPoints())
        {
            IServer server = multiplexer.GetServer(endPoint);
            if (!server.IsConnected)
            {
                continue;
            }

            if (server.ServerType == ServerType.Cluster && ClusterDatabaseProblem(options.Value) is { } problem)
            {
                _misconfiguration = problem;
                LogMisconfigured(logger, problem);
            }

            _topologyChecked = true;
            return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is { } multiplexer)
        {
            multiplexer.ConnectionFailed -= OnConnectionFailed;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
            await multiplexer.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    internal static ConfigurationOptions CreateConfiguration(RedisOptions o)
    {
        var configuration = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectRetry = 3,
            ConnectTimeout = 5_000,
            SyncTimeout = 5_000,
            AsyncTimeout = 5_000,
            KeepAlive = 30,
            Ssl = o.UseSsl,
            SslProtocols = TlsTrust.Protocols,
            Password = string.IsNullOrEmpty(o.Password) ? null : o.Password,
            ClientName = "realtimemessagechat",

            // Recovery after an outage (issue 9, defect 4): the multiplexer reconnects only on its
            // heartbeat (default every 1 s) and only when its policy allows (the default spaces
            // attempts 2.5 s growing to 10 s). Check four times a second and space attempts 250 ms
            // growing slowly (x1.1 per failed attempt) to 1 s, so the connection is back a quarter
            // to one second after Redis answers. The same spacing bounds how long one connect
            // attempt (TCP, TLS, AUTH) may take before it is abandoned and tried again: not lower.
            HeartbeatInterval = TimeSpan.FromMilliseconds(250),
            ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 1_000),

            // Fail fast instead of queueing while disconnected. Our callers retry in place and
            // rely on this: when a pipelined batch has failed, every one of its commands either ran
            // on the lost connection or never will. With the default policy, commands still in the
            // backlog when the connection dropped would run after the reconnect, ahead of a retry
            // of the earlier commands of their batch that were lost with it, and reorder the room.
            BacklogPolicy = BacklogPolicy.FailFast,
        };
        if (o.UseSsl)
        {
            configuration.SslHost = o.Host;
            configuration.CertificateValidation += TlsTrust.Callback(o.SslCaPath);
        }
        configuration.EndPoints.Add(o.Host, o.Port);
        return configuration;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        LogConnectionFailed(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType.ToString(), e.FailureType.ToString(), e.Exception?.Message ?? string.Empty);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        LogConnectionRestored(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType.ToString());
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            // Wakes every retry waiting on the old token; later waits take the new one. Not
            // disposed: a wait may still be registering on it, and it holds no timer.
            Interlocked.Exchange(ref _restored, new CancellationTokenSource()).Cancel();
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Redis multiplexer for {Host}:{Port} created (connected: {Connected})")]
    private static partial void LogConnected(ILogger logger, string host, int port, bool connected);

    [LoggerMessage(EventId = 203, Level = LogLevel.Critical, Message = "Redis cannot be used as configured: {Problem}")]
    private static partial void LogMisconfigured(ILogger logger, string problem);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Redis {EndPoint} ({ConnectionType}) connection lost: {FailureType} {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string endPoint, string connectionType, string failureType, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Redis {EndPoint} ({ConnectionType}) connection restored")]
    private static partial void LogConnectionRestored(ILogger logger, string endPoint, string connectionType);
}
