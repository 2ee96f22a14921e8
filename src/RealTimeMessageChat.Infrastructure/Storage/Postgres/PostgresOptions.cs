using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using RealTimeMessageChat.Infrastructure.Configuration;
using Npgsql;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary>How to reach PostgreSQL.</summary>
public sealed class PostgresOptions
{
    /// <summary>Default 127.0.0.1.</summary>
    [ConfigurationKeyName("postgres_host")]
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Default 5432.</summary>
    [ConfigurationKeyName("postgres_port")]
    [Range(1, 65535)]
    public int Port { get; set; } = 5432;

    /// <summary>Default rtmc.</summary>
    [ConfigurationKeyName("postgres_user")]
    [Required]
    public string User { get; set; } = "rtmc";

    /// <summary>Set through <c>RTMC_POSTGRES_PASSWORD</c> rather than a file. Default empty.</summary>
    [ConfigurationKeyName("postgres_password")]
    public string Password { get; set; } = string.Empty;

    /// <summary>Default rtmc.</summary>
    [ConfigurationKeyName("postgres_database")]
    [Required]
    public string Database { get; set; } = "rtmc";

    /// <summary>Connection pool size per process. Default 20.</summary>
    [ConfigurationKeyName("postgres_max_pool_size")]
    [Range(1, 1000)]
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>Require TLS to PostgreSQL, with the certificate and host name verified (VerifyFull). Default false.</summary>
    [ConfigurationKeyName("postgres_use_ssl")]
    public bool UseSsl { get; set; }

    /// <summary>A CA (PEM) trusted for outgoing TLS besides the system store. Default none.</summary>
    [ConfigurationKeyName("ssl_ca_path")]
    [PemCertificateFile]
    public string? SslCaPath { get; set; }

    public string BuildConnectionString() => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = User,
        Password = string.IsNullOrEmpty(Password) ? null : Password,
        Database = Database,
        MaxPoolSize = MaxPoolSize,
        SslMode = UseSsl ? SslMode.VerifyFull : SslMode.Prefer,
        RootCertificate = UseSsl && !string.IsNullOrEmpty(SslCaPath) ? SslCaPath : null,
        ApplicationName = "realtimemessagechat",
    }.ConnectionString;
}
