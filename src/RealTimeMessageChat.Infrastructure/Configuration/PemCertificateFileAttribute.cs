using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RealTimeMessageChat.Infrastructure.Configuration;

/// <summary>An optional path that, when set, must name a readable PEM file holding a certificate.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PemCertificateFileAttribute : ValidationAttribute
{
    public PemCertificateFileAttribute()
        : base("The field {0} must name a readable PEM certificate file.")
    {
    }

    public override bool IsValid(object? value)
    {
        if (value is not string { Length: > 0 } path)
        {
            return true;
        }

        try
        {
            using X509Certificate2 certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }
}
