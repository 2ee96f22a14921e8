using Microsoft.Extensions.Diagnostics.HealthChecks;
using RealTimeMessageChat.Infrastructure.Storage.Redis;

namespace RealTimeMessageChat.Infrastructure.Observability;

/// <summary>Readiness: Redis answers PING.</summary>
public sealed class RedisHealthCheck(RedisConnectionProvider redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            TimeSpan latency = await (await redis.GetMessageDatabaseAsync().ConfigureAwait(false)).PingAsync().ConfigureAwait(false);
            return HealthCheckResult.Healthy($"ping {latency.TotalMilliseconds:F1} ms");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
