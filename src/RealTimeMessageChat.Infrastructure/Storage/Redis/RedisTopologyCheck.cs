using Microsoft.Extensions.Hosting;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// Connects to Redis while the host starts, so a configuration a Redis Cluster cannot serve
/// (<see cref="RedisConnectionProvider.ClusterDatabaseProblem"/>) stops the start with a message
/// naming the key instead of failing every later call. A Redis that does not answer quickly does
/// not hold the start up: the check is then made on first use.
/// </summary>
internal sealed class RedisTopologyCheck(RedisConnectionProvider redis) : IHostedService
{
    // Long enough for a connect on loopback or a LAN; a Redis that is away is waited for by the
    // services that need it, with their own retries, not here.
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Task connect = redis.GetAsync(cancellationToken);
        if (await Task.WhenAny(connect, Task.Delay(StartWait, cancellationToken)).ConfigureAwait(false) != connect)
        {
            return;
        }

        try
        {
            await connect.ConfigureAwait(false); // throws RtmcConfigurationException for a bad database
        }
        catch (Exception ex) when (RedisErrors.IsRedis(ex))
        {
            // Connection trouble is not this check's business: the services report it.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
