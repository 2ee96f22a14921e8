using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry.Metrics;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Storage.Redis;

namespace RealTimeMessageChat.Infrastructure.Observability;

/// <summary>
/// <c>/health/live</c> (the process runs: no dependency checked) and <c>/health/ready</c> (every
/// dependency tagged <see cref="ReadyTag"/>), answering JSON with each dependency's status, plus
/// <c>/metrics</c> in Prometheus text format through OpenTelemetry's exporter.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    // A dependency that does not answer within this is reported down rather than hanging the probe.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Our meters: each app creates <c>RealTimeMessageChat.&lt;App&gt;</c> through <c>IMeterFactory</c>.</summary>
    public const string MeterPrefix = "RealTimeMessageChat.";

    // What ASP.NET Core and the runtime measure by themselves (.NET 8+ built-in meters): request
    // duration and active requests, Kestrel connections, rate-limiter rejections, GC, thread pool,
    // CPU and working set. Listening to them needs no instrumentation package.
    private static readonly string[] BuiltInMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "System.Runtime",
    ];

    /// <summary>
    /// What <see cref="MapRtmcHealthAndMetrics"/> serves: the health-check service (add readiness
    /// checks to the returned builder) and OpenTelemetry metrics with the Prometheus exporter.
    /// </summary>
    public static IHealthChecksBuilder AddRtmcHealthAndMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MeterPrefix + "*")
            .AddMeter(BuiltInMeters)
            .AddPrometheusExporter(prometheus =>
            {
                // The exporter caches a scrape for 300 ms by default; our counters are read right
                // after the actions they count (tests, operators checking a fix), so never serve stale text.
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        return services.AddHealthChecks();
    }

    /// <summary>PING to every Redis master on the process's one multiplexer (<see cref="RedisReadinessCheck"/>).</summary>
    public static IHealthChecksBuilder AddRedisReadiness(this IHealthChecksBuilder builder) =>
        builder.AddCheck<RedisReadinessCheck>("redis", tags: [ReadyTag], timeout: ProbeTimeout);

    /// <summary>Opens and closes a channel on the process's one RabbitMQ connection (opening it if needed).</summary>
    public static IHealthChecksBuilder AddRabbitMqReadiness(this IHealthChecksBuilder builder) =>
        builder.AddRabbitMQ(
            services => services.GetRequiredService<RabbitMqConnectionProvider>().GetConnectionAsync(CancellationToken.None),
            name: "rabbitmq",
            tags: [ReadyTag],
            timeout: ProbeTimeout);

    /// <summary><c>SELECT 1</c> through the process's one <see cref="NpgsqlDataSource"/> (its pool).</summary>
    public static IHealthChecksBuilder AddPostgresReadiness(this IHealthChecksBuilder builder) =>
        builder.AddNpgSql(
            services => services.GetRequiredService<NpgsqlDataSource>(),
            name: "postgresql",
            tags: [ReadyTag],
            timeout: ProbeTimeout);

    public static IEndpointRouteBuilder MapRtmcHealthAndMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJsonAsync });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteJsonAsync });
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }

    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new Dictionary<string, object>
        {
            ["status"] = report.Status.ToString(),
            ["dependencies"] = report.Entries.ToDictionary(
                e => e.Key,
                e => new Dictionary<string, string?> { ["status"] = e.Value.Status.ToString(), ["description"] = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
