using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using RealTimeMessageChat.Infrastructure.Configuration;

namespace RealTimeMessageChat.Infrastructure.Storage.Redis;

/// <summary>How to reach Redis and how long what it holds lives.</summary>
public sealed class RedisOptions
{
    /// <summary>Default 127.0.0.1.</summary>
    [ConfigurationKeyName("redis_host")]
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Default 6379.</summary>
    [ConfigurationKeyName("redis_port")]
    [Range(1, 65535)]
    public int Port { get; set; } = 6379;

    /// <summary>Set through <c>RTMC_REDIS_PASSWORD</c>; empty means no AUTH. Default empty.</summary>
    [ConfigurationKeyName("redis_password")]
    public string Password { get; set; } = string.Empty;

    /// <summary>Database of the message streams, sequences and de-duplication records. Default 0.</summary>
    [ConfigurationKeyName("redis_db_global_message_index")]
    [Range(0, 15)]
    public int GlobalMessageDatabase { get; set; }

    /// <summary>Database of user presence and status. Default 1.</summary>
    [ConfigurationKeyName("redis_db_user_status_index")]
    [Range(0, 15)]
    public int UserStatusDatabase { get; set; } = 1;

    /// <summary>How long a <c>message_id</c> is remembered for de-duplication, in seconds. Default 86400 (24 h).</summary>
    [ConfigurationKeyName("redis_ttl_sec")]
    [Range(1, 30 * 24 * 3600)]
    public int DedupeTtlSeconds { get; set; } = 86_400;

    /// <summary>
    /// Messages kept per room stream once PostgreSQL holds them; older ones are only in PostgreSQL.
    /// Never enforced over messages not yet persisted: while PostgreSQL is away the stream grows. Default 100000.
    /// </summary>
    [ConfigurationKeyName("redis_stream_max_length")]
    [Range(1, 100_000_000)]
    public int StreamMaxLength { get; set; } = 100_000;

    /// <summary>
    /// Persisted messages older than this (by <c>created_at</c>) leave the stream even within
    /// <see cref="StreamMaxLength"/>, in seconds; 0 keeps them up to the length. Default 0.
    /// </summary>
    [ConfigurationKeyName("redis_stream_max_age_sec")]
    [Range(0, 365 * 24 * 3600)]
    public int StreamMaxAgeSeconds { get; set; }

    /// <summary>TLS to Redis (the certificate checked against the system store and <see cref="SslCaPath"/>). Default false.</summary>
    [ConfigurationKeyName("redis_use_ssl")]
    public bool UseSsl { get; set; }

    /// <summary>A CA (PEM) trusted for outgoing TLS besides the system store. Default none.</summary>
    [ConfigurationKeyName("ssl_ca_path")]
    [PemCertificateFile]
    public string? SslCaPath { get; set; }
}
