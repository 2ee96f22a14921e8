using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using RealTimeMessageChat.Protocol;
using Serilog.Events;

namespace RealTimeMessageChat.UserClient.Options;

/// <summary>
/// Everything the client reads from <c>config/user_client_configurations.json</c>, <c>RTMC_*</c>
/// environment variables and the command line (flat snake_case keys, later sources win).
/// </summary>
internal sealed class UserClientOptions : IValidatableObject
{
    /// <summary>MainServer host name or address. Default <c>127.0.0.1</c>.</summary>
    [ConfigurationKeyName("server_host")]
    [Required]
    public string ServerHost { get; set; } = "127.0.0.1";

    /// <summary>MainServer TCP port. Default 9876.</summary>
    [ConfigurationKeyName("server_port")]
    [Range(1, 65535)]
    public int ServerPort { get; set; } = 9876;

    /// <summary>Base address of the RestApi. Default <c>http://127.0.0.1:8080</c>.</summary>
    [ConfigurationKeyName("rest_api_url")]
    [Required]
    public string RestApiUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>First reconnect delay in seconds; it doubles per failed attempt up to 30 s. Default 3.</summary>
    [ConfigurationKeyName("reconnect_interval_sec")]
    [Range(0.01, 3600)]
    public double ReconnectIntervalSec { get; set; } = 3;

    /// <summary>Seconds between the client's own pings; a server silent for three intervals is dropped. Default 30.</summary>
    [ConfigurationKeyName("heartbeat_interval_sec")]
    [Range(0.05, 3600)]
    public double HeartbeatIntervalSec { get; set; } = 30;

    /// <summary>Largest frame payload accepted or sent, in bytes. Default 65536.</summary>
    [ConfigurationKeyName("max_frame_bytes")]
    [Range(64, 16 * 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = FrameCodec.DefaultMaxPayloadSize;

    /// <summary>Frames that may wait in the outbound queue before sends are refused. Default 256.</summary>
    [ConfigurationKeyName("send_queue_capacity")]
    [Range(1, 65536)]
    public int SendQueueCapacity { get; set; } = 256;

    /// <summary>Seconds an HTTP request to the RestApi may take. Default 10.</summary>
    [ConfigurationKeyName("http_timeout_sec")]
    [Range(0.1, 600)]
    public double HttpTimeoutSec { get; set; } = 10;

    /// <summary>Attempts per typed line when the RestApi answers 429/503 or cannot be reached. Default 5.</summary>
    [ConfigurationKeyName("publish_max_attempts")]
    [Range(1, 20)]
    public int PublishMaxAttempts { get; set; } = 5;

    /// <summary>Folder of the client's log file (the console is kept for chat). Default <c>logs</c>.</summary>
    [ConfigurationKeyName("log_root_path")]
    [Required]
    public string LogRootPath { get; set; } = "logs";

    /// <summary>Verbose, Debug, Information, Warning, Error or Fatal. Default Information.</summary>
    [ConfigurationKeyName("log_level")]
    public LogEventLevel LogLevel { get; set; } = LogEventLevel.Information;

    /// <summary>The user id (<c>--user</c>).</summary>
    [ConfigurationKeyName("user")]
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$")]
    public string? User { get; set; }

    /// <summary>The password (<c>--password</c> or <c>RTMC_PASSWORD</c>); prompted for when absent and stdin is a terminal.</summary>
    [ConfigurationKeyName("password")]
    public string? Password { get; set; }

    /// <summary>Create the account before logging in (<c>--register</c>); an existing account is fine.</summary>
    [ConfigurationKeyName("register")]
    public bool Register { get; set; }

    /// <summary>Replay the global room after this seq on the first connect (<c>--last-seq N</c>).</summary>
    [ConfigurationKeyName("last_seq")]
    [Range(0, long.MaxValue)]
    public long? LastSeq { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(RestApiUrl, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult($"Configuration key 'rest_api_url': '{RestApiUrl}' is not an absolute http or https URL.");
        }
    }

    /// <summary>Base address with a trailing slash so relative paths keep any path prefix.</summary>
    public Uri GetRestApiBaseAddress() => new(RestApiUrl.EndsWith('/') ? RestApiUrl : RestApiUrl + "/");

    public TimeSpan ReconnectInterval => TimeSpan.FromSeconds(ReconnectIntervalSec);

    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(HeartbeatIntervalSec);
}
