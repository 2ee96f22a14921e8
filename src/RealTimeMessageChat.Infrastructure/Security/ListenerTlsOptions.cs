using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>
/// TLS on a process's own listener (the RestApi's HTTPS): <c>use_ssl</c> with a PEM certificate
/// chain and its key, loaded by <see cref="TlsServerContext"/>. Checked at start, so a missing or
/// mismatched file stops the process with a message naming the key rather than failing the first handshake.
/// </summary>
public sealed class ListenerTlsOptions : IValidatableObject
{
    /// <summary>Serve TLS 1.2/1.3 only. Default false.</summary>
    [ConfigurationKeyName("use_ssl")]
    public bool UseSsl { get; set; }

    /// <summary>PEM certificate (chain) the listener presents.</summary>
    [ConfigurationKeyName("ssl_certificate_path")]
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of that certificate.</summary>
    [ConfigurationKeyName("ssl_key_path")]
    public string? KeyPath { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The MainServer's own check of the same keys: the chain read, the key matched to its leaf.
        if (UseSsl && TlsServerContext.Check(CertificatePath ?? string.Empty, KeyPath ?? string.Empty) is { } error)
        {
            yield return new ValidationResult(error);
        }
    }
}
