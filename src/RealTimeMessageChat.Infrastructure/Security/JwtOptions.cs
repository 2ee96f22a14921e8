using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>
/// Token settings shared by RestApi (issues tokens) and MainServer (checks them at the TCP handshake).
/// The secret never lives in a committed file: set <c>RTMC_JWT_SECRET</c>.
/// </summary>
public sealed class JwtOptions : IValidatableObject
{
    /// <summary>HS256 key, at least 32 bytes of UTF-8. No default: the process refuses to start without it.</summary>
    [ConfigurationKeyName("jwt_secret")]
    public string Secret { get; set; } = string.Empty;

    /// <summary>Default realtimemessagechat.</summary>
    [ConfigurationKeyName("jwt_issuer")]
    [Required]
    public string Issuer { get; set; } = "realtimemessagechat";

    /// <summary>Default realtimemessagechat.</summary>
    [ConfigurationKeyName("jwt_audience")]
    [Required]
    public string Audience { get; set; } = "realtimemessagechat";

    /// <summary>Token lifetime in minutes. Default 60.</summary>
    [ConfigurationKeyName("jwt_expiry_minutes")]
    [Range(1, 7 * 24 * 60)]
    public int ExpiryMinutes { get; set; } = 60;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Encoding.UTF8.GetByteCount(Secret) < 32)
        {
            // Never echo the value: it is a secret.
            yield return new ValidationResult(
                "Configuration key 'jwt_secret': must be at least 32 bytes; set it with the RTMC_JWT_SECRET environment variable.",
                [nameof(Secret)]);
        }
    }
}
