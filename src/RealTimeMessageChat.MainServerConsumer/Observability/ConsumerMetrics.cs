using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RealTimeMessageChat.MainServerConsumer.Observability;

/// <summary>
/// The consumer's counters, exported by <c>/metrics</c> as <c>rtmc_mainserverconsumer_*_total</c>,
/// and the per-room persist lag gauge <c>rtmc_mainserverconsumer_persist_lag{room}</c>.
/// The meter comes from <see cref="IMeterFactory"/>, so each host (and each test) has its own.
/// </summary>
internal sealed class ConsumerMetrics
{
    public const string MeterName = "RealTimeMessageChat.MainServerConsumer";

    private readonly ConcurrentDictionary<string, long> _lag = new(StringComparer.Ordinal);

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
        Trimmed = meter.CreateCounter<long>("rtmc.mainserverconsumer.messages.trimmed", "{message}", "Persisted messages removed from the Redis log by its retention");
        meter.CreateObservableGauge(
            "rtmc.mainserverconsumer.persist.lag",
            () => _lag.Select(pair => new Measurement<long>(pair.Value, new KeyValuePair<string, object?>("room", pair.Key))),
            "{message}",
            "Per room: newest seq in Redis minus newest in PostgreSQL");
    }

    /// <summary>Sets the gauge's value for <paramref name="room"/>.</summary>
    public void SetPersistLag(string room, long lag) => _lag[room] = lag;

    /// <summary>The gauge's current value for <paramref name="room"/> (tests, and the persister's own warning).</summary>
    public long? PersistLag(string room) => _lag.TryGetValue(room, out long lag) ? lag : null;

    public Counter<long> Consumed { get; }

    public Counter<long> Appended { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> DeadLettered { get; }

    public Counter<long> Persisted { get; }

    public Counter<long> RedisRetries { get; }

    public Counter<long> PersistFailures { get; }

    public Counter<long> Trimmed { get; }
}
