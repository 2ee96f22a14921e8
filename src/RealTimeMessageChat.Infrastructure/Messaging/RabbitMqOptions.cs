using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using RealTimeMessageChat.Infrastructure.Configuration;

namespace RealTimeMessageChat.Infrastructure.Messaging;

/// <summary>How to reach RabbitMQ. Shared by RestApi (publisher) and MainServerConsumer.</summary>
public sealed class RabbitMqOptions
{
    /// <summary>Broker host. Default 127.0.0.1.</summary>
    [ConfigurationKeyName("rabbitmq_host")]
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>AMQP port. Default 5672.</summary>
    [ConfigurationKeyName("rabbitmq_port")]
    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    /// <summary>User name. Default guest (which RabbitMQ accepts only over loopback).</summary>
    [ConfigurationKeyName("rabbitmq_user")]
    [Required]
    public string User { get; set; } = "guest";

    /// <summary>Password; set it through <c>RTMC_RABBITMQ_PASSWORD</c> rather than a file. Default guest.</summary>
    [ConfigurationKeyName("rabbitmq_password")]
    public string Password { get; set; } = "guest";

    /// <summary>Virtual host. Default "/".</summary>
    [ConfigurationKeyName("rabbitmq_vhost")]
    [Required]
    public string VirtualHost { get; set; } = "/";

    /// <summary>TLS to the broker (the certificate checked against the system store and <see cref="SslCaPath"/>). Default false.</summary>
    [ConfigurationKeyName("rabbitmq_use_ssl")]
    public bool UseSsl { get; set; }

    /// <summary>A CA (PEM) trusted for outgoing TLS besides the system store. Default none.</summary>
    [ConfigurationKeyName("ssl_ca_path")]
    [PemCertificateFile]
    public string? SslCaPath { get; set; }

    /// <summary>Seconds between reconnection attempts after the connection is lost. Default 3.</summary>
    [ConfigurationKeyName("reconnect_interval_sec")]
    [Range(1, 300)]
    public int ReconnectIntervalSeconds { get; set; } = 3;
}
