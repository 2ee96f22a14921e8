using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RealTimeMessageChat.Infrastructure.Configuration;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>
/// The server's TLS settings, made once at start and shared by every connection: the certificate
/// and its key from PEM files, the chain built once (<see cref="SslStreamCertificateContext"/>,
/// not per handshake), TLS 1.2 and 1.3 only (<see cref="TlsTrust.Protocols"/>), no client
/// certificates, no renegotiation. The MainServer's TCP listener and the RestApi's HTTPS both use it.
/// </summary>
public sealed class TlsServerContext
{
    private TlsServerContext(X509Certificate2 certificate, SslStreamCertificateContext certificateContext)
    {
        Certificate = certificate;
        AuthenticationOptions = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificateContext,
            EnabledSslProtocols = TlsTrust.Protocols,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
        };
    }

    /// <summary>The leaf certificate (the first in <c>ssl_certificate_path</c>), with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The intermediates of <c>ssl_certificate_path</c>, sent after the leaf.</summary>
    public X509Certificate2Collection Intermediates => [.. AuthenticationOptions.ServerCertificateContext!.IntermediateCertificates];

    /// <summary>Read by every handshake, never changed after start.</summary>
    public SslServerAuthenticationOptions AuthenticationOptions { get; }

    /// <summary>Loads the files; throws <see cref="RtmcConfigurationException"/> naming the key at fault.</summary>
    public static TlsServerContext Load(string certificatePath, string keyPath)
    {
        if (!TryLoadCertificate(certificatePath, keyPath, out X509Certificate2? leaf, out X509Certificate2Collection? intermediates, out string? error))
        {
            throw new RtmcConfigurationException(error);
        }

        // offline: the chain is built from the file and the system store, never fetched (AIA) at start.
        return new TlsServerContext(leaf, SslStreamCertificateContext.Create(leaf, intermediates, offline: true));
    }

    /// <summary>The check of <see cref="Load"/> without building the chain, for the options' validation; null when the files are fine.</summary>
    public static string? Check(string certificatePath, string keyPath)
    {
        if (!TryLoadCertificate(certificatePath, keyPath, out X509Certificate2? leaf, out X509Certificate2Collection? intermediates, out string? error))
        {
            return error;
        }

        leaf.Dispose();
        foreach (X509Certificate2 certificate in intermediates)
        {
            certificate.Dispose();
        }

        return null;
    }

    /// <summary>
    /// The certificate file holds the leaf first, then any intermediates (the order nginx and
    /// HAProxy expect); the key file an unencrypted PKCS#8, PKCS#1 (RSA) or SEC1 (EC) key.
    /// </summary>
    private static bool TryLoadCertificate(
        string certificatePath,
        string keyPath,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out X509Certificate2? leaf,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out X509Certificate2Collection? intermediates,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        leaf = null;
        intermediates = null;
        if (!TryReadPem(certificatePath, "ssl_certificate_path", out string? certificatePem, out error)
            || !TryReadPem(keyPath, "ssl_key_path", out string? keyPem, out error))
        {
            return false;
        }

        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(certificatePem);
        }
        catch (CryptographicException ex)
        {
            error = $"Configuration key 'ssl_certificate_path': '{certificatePath}' holds a certificate that cannot be read: {ex.Message}";
            return false;
        }

        if (chain.Count == 0)
        {
            error = $"Configuration key 'ssl_certificate_path': '{certificatePath}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).";
            return false;
        }

        try
        {
            // The first certificate of the file, with the key: the key must be that certificate's.
            leaf = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // ArgumentException: a key of the right kind but another certificate's.
            error = HoldsPrivateKey(keyPem)
                ? $"Configuration key 'ssl_key_path': the private key in '{keyPath}' does not belong to the certificate in '{certificatePath}' (ssl_certificate_path)."
                : $"Configuration key 'ssl_key_path': '{keyPath}' holds no unencrypted PEM private key (PKCS#8, RSA or EC).";
            foreach (X509Certificate2 certificate in chain)
            {
                certificate.Dispose();
            }

            return false;
        }

        chain[0].Dispose();
        chain.RemoveAt(0);
        intermediates = chain;
        return true;
    }

    private static bool TryReadPem(
        string path,
        string key,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? pem,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        pem = null;
        error = null;
        if (string.IsNullOrWhiteSpace(path))
        {
            error = $"Configuration key '{key}': required when 'use_ssl' is true.";
            return false;
        }

        if (!File.Exists(path))
        {
            error = $"Configuration key '{key}': file '{path}' does not exist (relative paths start at '{Directory.GetCurrentDirectory()}').";
            return false;
        }

        try
        {
            pem = File.ReadAllText(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"Configuration key '{key}': file '{path}' cannot be read: {ex.Message}";
            return false;
        }
    }

    private static bool HoldsPrivateKey(string keyPem)
    {
        foreach (AsymmetricAlgorithm algorithm in new AsymmetricAlgorithm[] { RSA.Create(), ECDsa.Create() })
        {
            using (algorithm)
            {
                try
                {
                    algorithm.ImportFromPem(keyPem);
                    return true;
                }
                catch (Exception ex) when (ex is ArgumentException or CryptographicException)
                {
                    // Not this kind of key.
                }
            }
        }

        return false;
    }
}
