using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>
/// How our outgoing TLS connections (to Redis, RabbitMQ, PostgreSQL) judge the server's
/// certificate: the system's trust store, and when <c>ssl_ca_path</c> names a CA (the local CA of
/// <c>./build.sh run --tls</c>, a company CA), a chain to that CA as well. The host name is always
/// checked; there is no switch that turns validation off.
/// </summary>
public static class TlsTrust
{
    /// <summary>TLS 1.2 and 1.3 only.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>A validation callback trusting the system store and, if given, the CA in <paramref name="caPath"/> (PEM).</summary>
    public static RemoteCertificateValidationCallback Callback(string? caPath)
    {
        X509Certificate2? ca = string.IsNullOrEmpty(caPath) ? null : X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        return (_, certificate, _, errors) => IsTrusted(certificate, errors, ca);
    }

    /// <summary>True when the system accepted the certificate, or the only complaint was the chain and it leads to <paramref name="ca"/>.</summary>
    private static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2? ca)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (ca is null || certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);

        // A local CA publishes no revocation list; the chain to it is what is checked.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
