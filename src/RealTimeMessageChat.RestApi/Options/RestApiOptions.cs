using System.ComponentModel.DataAnnotations;
using System.Net;
using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.Infrastructure.Messaging;
using RealTimeMessageChat.Infrastructure.Security;

namespace RealTimeMessageChat.RestApi.Options;

/// <summary>The RestApi's own keys of <c>config/rest_api_configurations.json</c> (flat, snake_case).</summary>
internal sealed class RestApiOptions : IValidatableObject
{
    /// <summary>Address Kestrel binds: an IP address or <c>localhost</c>. Default 127.0.0.1.</summary>
    [ConfigurationKeyName("server_host")]
    [Required]
    public string ServerHost { get; set; } = "127.0.0.1";

    /// <summary>HTTP port. Default 8080.</summary>
    [ConfigurationKeyName("server_port")]
    [Range(1, 65535)]
    public int ServerPort { get; set; } = 8080;

    /// <summary>Queue the publish endpoints write to. Default message_broadcast_queue.</summary>
    [ConfigurationKeyName("publish_queue_name")]
    [Required]
    public string PublishQueueName { get; set; } = QueueNames.Broadcast;

    /// <summary>Seconds a user's presence read from PostgreSQL stays cached in Redis (<c>GET /api/v1/users/{user_id}/status</c>). Default 90.</summary>
    [ConfigurationKeyName("presence_cache_ttl_sec")]
    [Range(1, 86_400)]
    public int PresenceCacheTtlSeconds { get; set; } = 90;

    /// <summary>Largest message <c>content</c>, in UTF-8 bytes. Default 4096.</summary>
    [ConfigurationKeyName("max_content_bytes")]
    [Range(1, 1024 * 1024)]
    public int MaxContentBytes { get; set; } = MessageRules.DefaultMaxContentBytes;

    /// <summary>Largest request body, in bytes; larger bodies get 413. Default 65536.</summary>
    [ConfigurationKeyName("max_body_bytes")]
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 65536;

    /// <summary>Milliseconds to wait for the broker's confirm before answering 503. Default 5000.</summary>
    [ConfigurationKeyName("publish_confirm_timeout_ms")]
    [Range(100, 120_000)]
    public int PublishConfirmTimeoutMs { get; set; } = 5000;

    /// <summary>RabbitMQ channels publishing in parallel, many confirms in flight on each. Default 2.</summary>
    [ConfigurationKeyName("publish_channel_count")]
    [Range(1, 64)]
    public int PublishChannelCount { get; set; } = RabbitMqMessagePublisher.DefaultChannelCount;

    /// <summary>Publishes awaiting the broker's confirm at once, over all channels; more wait for a place. Default 4096.</summary>
    [ConfigurationKeyName("publish_max_in_flight")]
    [Range(1, 1_000_000)]
    public int PublishMaxInFlight { get; set; } = RabbitMqMessagePublisher.DefaultMaxInFlight;

    /// <summary>
    /// Seconds a sender's ban flags are reused by the publish path before PostgreSQL is asked again;
    /// 0 asks on every publish. Default 5.
    /// </summary>
    [ConfigurationKeyName("sender_status_cache_sec")]
    [Range(0, 3600)]
    public int SenderStatusCacheSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds a session found live is believed without asking Redis again; 0 asks on every request.
    /// Ending a session (logout, a ban) drops it from every RestApi at once through the moderation
    /// channel, so this only bounds what a missed announcement can keep. Default 5.
    /// </summary>
    [ConfigurationKeyName("session_check_cache_sec")]
    [Range(0, 300)]
    public int SessionCheckCacheSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds an answer to "is this user a member of this room" is reused by the publish and history
    /// checks before PostgreSQL is asked again; 0 asks every time. Every membership change drops the
    /// pair in every process at once through the control channel, so this only bounds a missed
    /// announcement. Default 5.
    /// </summary>
    [ConfigurationKeyName("room_membership_cache_sec")]
    [Range(0, 3600)]
    public int RoomMembershipCacheSeconds { get; set; } = 5;

    /// <summary>Sustained publish requests per second per user; beyond the burst they get 429. Default 200.</summary>
    [ConfigurationKeyName("rate_limit_per_second")]
    [Range(1, 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 200;

    /// <summary>Publish requests a user may send at once before the per-second rate applies. Default 400.</summary>
    [ConfigurationKeyName("rate_limit_burst")]
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 400;

    /// <summary>
    /// PBKDF2-HMAC-SHA256 iterations of new password hashes, 10,000 to 10,000,000. Stored hashes name
    /// their own count and keep verifying; each is re-hashed at the new count on its next login.
    /// Default 100,000.
    /// </summary>
    [ConfigurationKeyName("password_hash_iterations")]
    [Range(PasswordHasher.MinIterations, PasswordHasher.MaxIterations)]
    public int PasswordHashIterations { get; set; } = PasswordHasher.DefaultIterations;

    /// <summary>
    /// Login attempts not ending in success one user id may make per minute; more get 429 with
    /// Retry-After. A successful login starts the count afresh. Default 10.
    /// </summary>
    [ConfigurationKeyName("login_attempts_per_account_per_minute")]
    [Range(1, 1_000_000)]
    public int LoginAttemptsPerAccountPerMinute { get; set; } = 10;

    /// <summary>
    /// Login attempts not ending in success one client address (an IPv6 /64) may make per minute,
    /// whatever the user ids; more get 429 with Retry-After. Default 60.
    /// </summary>
    [ConfigurationKeyName("login_attempts_per_address_per_minute")]
    [Range(1, 1_000_000)]
    public int LoginAttemptsPerAddressPerMinute { get; set; } = 60;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(ServerHost, out _) && !string.Equals(ServerHost, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult("Configuration key 'server_host': must be an IP address or 'localhost'.", [nameof(ServerHost)]);
        }

        if (MaxContentBytes >= MaxBodyBytes)
        {
            yield return new ValidationResult("Configuration key 'max_content_bytes': must be smaller than 'max_body_bytes'.", [nameof(MaxContentBytes)]);
        }
    }
}
