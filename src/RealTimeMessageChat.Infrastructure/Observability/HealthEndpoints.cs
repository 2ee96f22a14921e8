using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RealTimeMessageChat.Infrastructure.Observability;

/// <summary>
/// <c>/health/live</c> (the process runs: no dependency checked) and <c>/health/ready</c> (every
/// dependency tagged <see cref="ReadyTag"/>), answering JSON with each dependency's status, plus
/// <c>/metrics</c> in Prometheus text format.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// What <see cref="MapRtmcHealthAndMetrics"/> serves: the health-check service (add readiness
    /// checks to the returned builder) and the Prometheus exporter.
    /// </summary>
    public static IHealthChecksBuilder AddRtmcHealthAndMetrics(this IServiceCollection services)
    {
        services.AddSingleton<PrometheusMetrics>();
        return services.AddHealthChecks();
    }

    public static IHealthChecksBuilder AddRedisReadiness(this IHealthChecksBuilder builder) =>
        builder.AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag]);

    public static IHealthChecksBuilder AddRabbitMqReadiness(this IHealthChecksBuilder builder) =>
        builder.AddCheck<RabbitMqHealthCheck>("rabbitmq", tags: [ReadyTag]);

    public static IHealthChecksBuilder AddPostgresReadiness(this IHealthChecksBuilder builder) =>
        builder.AddCheck<PostgresHealthCheck>("postgresql", tags: [ReadyTag]);

    public static IEndpointRouteBuilder MapRtmcHealthAndMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJsonAsync });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteJsonAsync });
        // Resolve the exporter now: its listener only counts measurements made after it exists,
        // and a lazy first scrape would have missed everything before it.
        endpoints.ServiceProvider.GetRequiredService<PrometheusMetrics>();
        endpoints.MapGet("/metrics", (PrometheusMetrics metrics) => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
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
