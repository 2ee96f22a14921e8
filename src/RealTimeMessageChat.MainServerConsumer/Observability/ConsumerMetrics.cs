using System.Diagnostics.Metrics;

namespace RealTimeMessageChat.MainServerConsumer.Observability;

/// <summary>The consumer's counters, exported on <c>/metrics</c> by PrometheusMetrics.</summary>
internal sealed class ConsumerMetrics : IDisposable
{
    public const string MeterName = "RealTimeMessageChat.MainServerConsumer";

    private readonly Meter _meter = new(MeterName);

    public ConsumerMetrics()
    {
        Consumed = _meter.CreateCounter<long>("consumer_messages_consumed", description: "Deliveries received from RabbitMQ");
        Appended = _meter.CreateCounter<long>("consumer_messages_appended", description: "Messages appended to the Redis log");
        Duplicates = _meter.CreateCounter<long>("consumer_messages_duplicate", description: "Deliveries recognised as duplicates by message_id");
        DeadLettered = _meter.CreateCounter<long>("consumer_messages_dead_lettered", description: "Deliveries sent to the dead-letter queue");
        Persisted = _meter.CreateCounter<long>("consumer_messages_persisted", description: "Messages newly stored in PostgreSQL");
        RedisRetries = _meter.CreateCounter<long>("consumer_redis_retries", description: "Redis appends retried after a transient failure");
        PersistFailures = _meter.CreateCounter<long>("consumer_persist_failures", description: "Failed PostgreSQL persistence attempts");
    }

    public Counter<long> Consumed { get; }

    public Counter<long> Appended { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> DeadLettered { get; }

    public Counter<long> Persisted { get; }

    public Counter<long> RedisRetries { get; }

    public Counter<long> PersistFailures { get; }

    public void Dispose() => _meter.Dispose();
}
