using System.ComponentModel.DataAnnotations;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Validation;

namespace RealTimeMessageChat.MainServerConsumer.Options;

/// <summary>The consumer's own keys in <c>main_server_consumer_configurations.json</c>.</summary>
internal sealed class ConsumerOptions
{
    /// <summary>Address the health and metrics endpoints listen on. Default 127.0.0.1.</summary>
    [ConfigurationKeyName("health_host")]
    [Required]
    public string HealthHost { get; set; } = "127.0.0.1";

    /// <summary>Port of <c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>. Default 8082.</summary>
    [ConfigurationKeyName("health_port")]
    [Range(1, 65535)]
    public int HealthPort { get; set; } = 8082;

    /// <summary>Queue to consume. Default <c>message_broadcast_queue</c>.</summary>
    [ConfigurationKeyName("consume_queue_name")]
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.:-]{1,200}$")]
    public string ConsumeQueueName { get; set; } = QueueNames.Broadcast;

    /// <summary>Unacknowledged deliveries the broker may push ahead (also the in-process buffer). Default 256.</summary>
    [ConfigurationKeyName("prefetch_count")]
    [Range(1, 65535)]
    public int PrefetchCount { get; set; } = 256;

    /// <summary>Largest <c>message.content</c> accepted, in UTF-8 bytes. Default 4096.</summary>
    [ConfigurationKeyName("max_content_bytes")]
    [Range(1, 1024 * 1024)]
    public int MaxContentBytes { get; set; } = MessageRules.DefaultMaxContentBytes;

    /// <summary>Longest <c>sub_id</c> (room) accepted, in characters. Default 64.</summary>
    [ConfigurationKeyName("max_sub_id_length")]
    [Range(1, 1024)]
    public int MaxSubIdLength { get; set; } = MessageRules.DefaultMaxSubIdLength;

    /// <summary>Most messages appended to Redis in one pipelined round trip. Default 128.</summary>
    [ConfigurationKeyName("batch_size")]
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 128;

    /// <summary>
    /// Milliseconds a batch waits to fill when the one before it held more than one message (under
    /// load); a lone message never waits. 0 turns the wait off. Default 2.
    /// </summary>
    [ConfigurationKeyName("batch_linger_ms")]
    [Range(0, 100)]
    public int BatchLingerMs { get; set; } = 2;

    /// <summary>Most messages written to PostgreSQL in one statement. Default 500.</summary>
    [ConfigurationKeyName("persist_batch_size")]
    [Range(1, 10_000)]
    public int PersistBatchSize { get; set; } = 500;

    /// <summary>
    /// Persist lag (newest seq in Redis minus newest in PostgreSQL) of one room over which a warning
    /// is logged, once; the recovery is logged once when it is back to half of this. Default 10000.
    /// </summary>
    [ConfigurationKeyName("persist_lag_warn_messages")]
    [Range(1, 100_000_000)]
    public int PersistLagWarnMessages { get; set; } = 10_000;

    /// <summary>How often the persister polls the Redis log when no wake-up arrives, in milliseconds. Default 200.</summary>
    [ConfigurationKeyName("persist_interval_ms")]
    [Range(10, 60_000)]
    public int PersistIntervalMs { get; set; } = 200;

    /// <summary>
    /// Seconds a sender's ban flags are reused before PostgreSQL is asked again (a ban or chat-ban
    /// drops the entry at once through the moderation channel); 0 asks for every message. Default 5.
    /// </summary>
    [ConfigurationKeyName("sender_status_cache_sec")]
    [Range(0, 3600)]
    public int SenderStatusCacheSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds an answer to "is the sender a member of the room" is reused before PostgreSQL is asked
    /// again (a join or removal drops the pair at once through the control channel); 0 asks for every
    /// message. Default 5.
    /// </summary>
    [ConfigurationKeyName("room_membership_cache_sec")]
    [Range(0, 3600)]
    public int RoomMembershipCacheSeconds { get; set; } = 5;
}
