using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using RealTimeMessageChat.Contracts.Validation;
using RealTimeMessageChat.UserClient.Networking;
using RealTimeMessageChat.Protocol;
using Serilog.Events;

namespace RealTimeMessageChat.UserClient.Options;

/// <summary>
/// Everything the client reads from <c>config/user_client_configurations.json</c>, <c>RTMC_*</c>
/// environment variables and the command line (flat snake_case keys, later sources win). Each
/// <see cref="DescriptionAttribute"/> is the option's <c>--help</c> text; the initial value is its default.
/// </summary>
internal sealed class UserClientOptions : IValidatableObject
{
    [Description("MainServer host name or address.")]
    [ConfigurationKeyName("server_host")]
    [Required]
    public string ServerHost { get; set; } = "127.0.0.1";

    [Description("MainServer TCP port.")]
    [ConfigurationKeyName("server_port")]
    [Range(1, 65535)]
    public int ServerPort { get; set; } = 9876;

    [Description("Connect to the MainServer with TLS (1.2 or 1.3); the server's certificate must validate, or the client stops.")]
    [ConfigurationKeyName("use_ssl")]
    public bool UseSsl { get; set; }

    [Description("PEM file of CA certificates to trust for the MainServer, in addition to the system's (use_ssl).")]
    [ConfigurationKeyName("ssl_ca_path")]
    public string? SslCaPath { get; set; }

    [Description("Name the MainServer's certificate must carry, also sent as SNI (use_ssl); default: server_host.")]
    [ConfigurationKeyName("ssl_server_name")]
    public string? SslServerName { get; set; }

    [Description("Base address of the RestApi (http or https).")]
    [ConfigurationKeyName("rest_api_url")]
    [Required]
    public string RestApiUrl { get; set; } = "http://127.0.0.1:8080";

    [Description("First reconnect delay in seconds; it doubles per failed attempt up to 30 s.")]
    [ConfigurationKeyName("reconnect_interval_sec")]
    [Range(0.01, 3600)]
    public double ReconnectIntervalSec { get; set; } = 3;

    [Description("Seconds between the client's own pings; a server silent for three intervals is dropped.")]
    [ConfigurationKeyName("heartbeat_interval_sec")]
    [Range(0.05, 3600)]
    public double HeartbeatIntervalSec { get; set; } = 30;

    [Description("Largest frame payload accepted or sent, in bytes.")]
    [ConfigurationKeyName("max_frame_bytes")]
    [Range(64, 16 * 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = FrameCodec.DefaultMaxPayloadSize;

    [Description("Frames that may wait in the outbound queue before sends are refused.")]
    [ConfigurationKeyName("send_queue_capacity")]
    [Range(1, 65536)]
    public int SendQueueCapacity { get; set; } = 256;

    [Description("Seconds an HTTP request to the RestApi may take.")]
    [ConfigurationKeyName("http_timeout_sec")]
    [Range(0.1, 600)]
    public double HttpTimeoutSec { get; set; } = 10;

    [Description("Attempts per typed line when the RestApi answers 429/503 or cannot be reached.")]
    [ConfigurationKeyName("publish_max_attempts")]
    [Range(1, 20)]
    public int PublishMaxAttempts { get; set; } = 5;

    [Description("Folder of the client's log file (the console is kept for chat).")]
    [ConfigurationKeyName("log_root_path")]
    [Required]
    public string LogRootPath { get; set; } = "logs";

    [Description("Verbose, Debug, Information, Warning, Error or Fatal.")]
    [ConfigurationKeyName("log_level")]
    public LogEventLevel LogLevel { get; set; } = LogEventLevel.Information;

    [Description("The user id, [A-Za-z0-9_-]{1,64}. Required.")]
    [ConfigurationKeyName("user")]
    [Required]
    [RegularExpression(MessageRules.UserIdPattern)]
    public string? User { get; set; }

    [Description("The password; asked for on the terminal when not given (prefer RTMC_PASSWORD or the prompt: the command line is visible to other users).")]
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }

    [Description("Create the account before logging in; an existing account is fine.")]
    [ConfigurationKeyName("register")]
    public bool Register { get; set; }

    [Description("Replay the global room after this seq on the first connect; without it the client starts live.")]
    [ConfigurationKeyName("last_seq")]
    [Range(0, long.MaxValue)]
    public long? LastSeq { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(RestApiUrl, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult($"Configuration key 'rest_api_url': '{RestApiUrl}' is not an absolute http or https URL.");
        }

        if (!string.IsNullOrEmpty(SslCaPath) && ClientTls.CheckCaFile(SslCaPath) is { } caError)
        {
            yield return new ValidationResult(caError);
        }

        if (SslServerName is not null && Uri.CheckHostName(SslServerName) == UriHostNameType.Unknown)
        {
            yield return new ValidationResult($"Configuration key 'ssl_server_name': '{SslServerName}' is not a host name or address.");
        }
    }

    /// <summary>Base address with a trailing slash so relative paths keep any path prefix.</summary>
    public Uri GetRestApiBaseAddress() => new(RestApiUrl.EndsWith('/') ? RestApiUrl : RestApiUrl + "/");

    public TimeSpan ReconnectInterval => TimeSpan.FromSeconds(ReconnectIntervalSec);

    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(HeartbeatIntervalSec);
}
