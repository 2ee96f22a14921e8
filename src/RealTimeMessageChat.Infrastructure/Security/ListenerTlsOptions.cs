using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>
/// TLS on a process's own listener (the RestApi's HTTPS): <c>use_ssl</c> with a PEM certificate
/// chain and its key. Checked at start, so a missing or mismatched file stops the process with a
/// message naming the key rather than failing the first handshake.
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

    /// <summary>The certificate with its key; call only when <see cref="UseSsl"/> and valid.</summary>
    public X509Certificate2 LoadCertificate() => X509Certificate2.CreateFromPemFile(CertificatePath!, KeyPath);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!UseSsl)
        {
            yield break;
        }

        if (string.IsNullOrEmpty(CertificatePath) || !File.Exists(CertificatePath))
        {
            yield return new ValidationResult($"Configuration key 'ssl_certificate_path': use_ssl is true, so it must name a PEM certificate file ('{CertificatePath}' does not exist).");
            yield break;
        }

        if (string.IsNullOrEmpty(KeyPath) || !File.Exists(KeyPath))
        {
            yield return new ValidationResult($"Configuration key 'ssl_key_path': use_ssl is true, so it must name the certificate's PEM key file ('{KeyPath}' does not exist).");
            yield break;
        }

        string? problem = null;
        try
        {
            using X509Certificate2 certificate = LoadCertificate();
            if (!certificate.HasPrivateKey)
            {
                problem = "the key does not belong to the certificate";
            }
        }
        catch (CryptographicException e)
        {
            problem = e.Message;
        }
        catch (UnauthorizedAccessException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return new ValidationResult($"Configuration key 'ssl_key_path': cannot use '{KeyPath}' with '{CertificatePath}': {problem}");
        }
    }
}
