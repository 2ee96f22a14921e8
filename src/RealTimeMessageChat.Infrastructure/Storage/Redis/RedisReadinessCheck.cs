using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>
/// Ready when every master the process's multiplexer knows answers PING: the one Redis, or each
/// master of a Redis Cluster (a key's slot may be on any of them). Our own rather than
/// AspNetCore.HealthChecks.Redis, whose cluster branch sends CLUSTER INFO, an admin command the
/// multiplexer refuses unless admin mode is on, which the apps have no need for.
/// </summary>
internal sealed class RedisReadinessCheck(RedisConnectionProvider redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            IConnectionMultiplexer multiplexer = await redis.GetAsync(cancellationToken).ConfigureAwait(false);
            IServer[] masters = [.. multiplexer.GetServers().Where(server => !server.IsReplica)];
            if (masters.Length == 0 || masters.Any(server => !server.IsConnected))
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"{masters.Count(s => s.IsConnected)} of {masters.Length} Redis masters connected");
            }

            await Task.WhenAll(masters.Select(server => server.PingAsync())).WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy(masters.Length == 1 ? null : $"{masters.Length} masters");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, ex);
        }
    }
}
