using System.Diagnostics.Metrics;

namespace RealTimeMessageChat.MainServerConsumer.Observability;

/// <summary>
/// The consumer's counters, exported by <c>/metrics</c> as <c>rtmc_mainserverconsumer_*_total</c>.
/// The meter comes from <see cref="IMeterFactory"/>, so each host (and each test) has its own.
/// </summary>
internal sealed class ConsumerMetrics
{
    public const string MeterName = "RealTimeMessageChat.MainServerConsumer";

    public ConsumerMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        Consumed = meter.CreateCounter<long>("rtmc.mainserverconsumer.messages.consumed", "{message}", "Deliveries received from RabbitMQ");
        Appended = meter.CreateCounter<long>("rtmc.mainserverconsumer.messages.appended", "{message}", "Messages appended to the Redis log");
        Duplicates = meter.CreateCounter<long>("rtmc.mainserverconsumer.messages.duplicate", "{message}", "Deliveries recognised as duplicates by message_id");
        DeadLettered = meter.CreateCounter<long>("rtmc.mainserverconsumer.messages.dead_lettered", "{message}", "Deliveries sent to the dead-letter queue");
        Persisted = meter.CreateCounter<long>("rtmc.mainserverconsumer.messages.persisted", "{message}", "Messages newly stored in PostgreSQL");
        RedisRetries = meter.CreateCounter<long>("rtmc.mainserverconsumer.redis.retries", "{retry}", "Redis appends retried after a transient failure");
        PersistFailures = meter.CreateCounter<long>("rtmc.mainserverconsumer.persist.failures", "{failure}", "Failed PostgreSQL persistence attempts");
    }

    public Counter<long> Consumed { get; }

    public Counter<long> Appended { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> DeadLettered { get; }

    public Counter<long> Persisted { get; }

    public Counter<long> RedisRetries { get; }

    public Counter<long> PersistFailures { get; }
}
