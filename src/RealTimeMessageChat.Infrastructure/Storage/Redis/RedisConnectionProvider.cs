using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// The process's one <see cref="ConnectionMultiplexer"/> (StackExchange.Redis 1.2.6: 2.x is not
/// served here). It reconnects by itself; <c>AbortOnConnectFail=false</c> lets a process start
/// while Redis is briefly away. Only Infrastructure sees this type.
/// </summary>
public sealed partial class RedisConnectionProvider(IOptions<RedisOptions> options, ILogger<RedisConnectionProvider> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;

    public RedisOptions Options => options.Value;

    public async Task<ConnectionMultiplexer> GetAsync()
    {
        if (_multiplexer is { } existing)
        {
            return existing;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_multiplexer is null)
            {
                RedisOptions o = options.Value;
                var configuration = new ConfigurationOptions
                {
                    AbortOnConnectFail = false,
                    ConnectRetry = 3,
                    ConnectTimeout = 5_000,
                    SyncTimeout = 5_000,
                    KeepAlive = 30,
                    Ssl = o.UseSsl,
                    Password = string.IsNullOrEmpty(o.Password) ? null : o.Password,
                    ClientName = "realtimemessagechat",
                };
                configuration.EndPoints.Add(o.Host, o.Port);
                _multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                LogConnected(logger, o.Host, o.Port, _multiplexer.IsConnected);
            }

            return _multiplexer;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IDatabase> GetMessageDatabaseAsync() => (await GetAsync().ConfigureAwait(false)).GetDatabase(options.Value.GlobalMessageDatabase);

    public async Task<IDatabase> GetUserStatusDatabaseAsync() => (await GetAsync().ConfigureAwait(false)).GetDatabase(options.Value.UserStatusDatabase);

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is { } multiplexer)
        {
            await multiplexer.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
            multiplexer.Dispose();
        }

        _gate.Dispose();
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Redis multiplexer for {Host}:{Port} created (connected: {Connected})")]
    private static partial void LogConnected(ILogger logger, string host, int port, bool connected);
}
