using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RealTimeMessageChat.UserClient.Configuration;
using RealTimeMessageChat.UserClient.Options;

namespace RealTimeMessageChat.UserClient.Networking;

/// <summary>
/// The client's TLS (<c>use_ssl</c>): TLS 1.2 or 1.3, the server's certificate checked against
/// <c>ssl_server_name</c> (default <c>server_host</c>) and the system's roots, plus the CAs of
/// <c>ssl_ca_path</c> when given. There is no way to turn the check off.
/// </summary>
internal sealed class ClientTls
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly X509Certificate2Collection? _trustedCas;

    private ClientTls(string serverName, X509Certificate2Collection? trustedCas)
    {
        ServerName = serverName;
        _trustedCas = trustedCas;
    }

    /// <summary>The name the certificate must carry; sent as SNI unless it is an address.</summary>
    public string ServerName { get; }

    /// <summary>Null when <c>use_ssl</c> is false. Reads <c>ssl_ca_path</c> once.</summary>
    public static ClientTls? From(UserClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.UseSsl)
        {
            return null;
        }

        X509Certificate2Collection? trusted = null;
        if (!string.IsNullOrEmpty(options.SslCaPath))
        {
            if (CheckCaFile(options.SslCaPath) is { } error)
            {
                throw new UserClientConfigurationException(error);
            }

            trusted = [];
            trusted.ImportFromPemFile(options.SslCaPath);
        }

        return new ClientTls(string.IsNullOrEmpty(options.SslServerName) ? options.ServerHost : options.SslServerName, trusted);
    }

    /// <summary>
    /// For the REST API over HTTPS: the same trust as the MainServer's (the system's roots plus the
    /// CAs of <c>ssl_ca_path</c>), the URL's host as the name. Null (the system's check alone) when
    /// the URL is not HTTPS or no CA is configured.
    /// </summary>
    public static RemoteCertificateValidationCallback? ForRestApi(UserClientOptions options, Uri restApi)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(restApi);
        if (restApi.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(options.SslCaPath))
        {
            return null;
        }

        if (CheckCaFile(options.SslCaPath) is { } error)
        {
            throw new UserClientConfigurationException(error);
        }

        X509Certificate2Collection trusted = [];
        trusted.ImportFromPemFile(options.SslCaPath);
        var tls = new ClientTls(restApi.Host, trusted);
        return (_, certificate, chain, errors) => tls.Check(certificate as X509Certificate2, chain, errors) is null;
    }

    /// <summary>Null when the file holds at least one PEM certificate; otherwise why not, naming <c>ssl_ca_path</c>.</summary>
    public static string? CheckCaFile(string path)
    {
        if (!File.Exists(path))
        {
            return $"Configuration key 'ssl_ca_path': file '{path}' does not exist.";
        }

        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            int count = certificates.Count;
            foreach (X509Certificate2 certificate in certificates)
            {
                certificate.Dispose();
            }

            return count > 0 ? null : $"Configuration key 'ssl_ca_path': '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return $"Configuration key 'ssl_ca_path': '{path}' cannot be read: {ex.Message}";
        }
    }

    /// <summary>
    /// The TLS handshake over <paramref name="inner"/> (which the returned stream owns). Throws
    /// <see cref="ServerCertificateRejectedException"/> when the certificate does not validate,
    /// and the handshake's own exceptions for anything else (the server went away, spoke plaintext).
    /// </summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner, CancellationToken cancellationToken)
    {
        string? rejection = null;
        var stream = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = ServerName,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                rejection = Check(certificate as X509Certificate2, chain, errors);
                return rejection is null;
            },
        };
        try
        {
            await stream.AuthenticateAsClientAsync(options, cancellationToken);
            return stream;
        }
        catch (AuthenticationException) when (rejection is not null)
        {
            await stream.DisposeAsync();
            throw new ServerCertificateRejectedException($"The MainServer's TLS certificate was refused: {rejection}");
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Null when the certificate is acceptable; otherwise the reason, in words the person at the terminal can act on.</summary>
    internal string? Check(X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return null;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the server sent no certificate.";
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"it is not issued for '{ServerName}' (subject {certificate.Subject}); connect by a name it carries, or set ssl_server_name.";
        }

        if (_trustedCas is null)
        {
            return $"it does not chain to a trusted root ({Describe(chain)}); set ssl_ca_path to the CA that issued it.";
        }

        // The system's verdict failed only on the chain: build it again, ending at one of our CAs.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trustedCas);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (chain is not null)
        {
            // The intermediates the server sent.
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }

        return custom.Build(certificate)
            ? null
            : $"it chains neither to a trusted root nor to a CA of ssl_ca_path ({Describe(custom)}).";
    }

    private static string Describe(X509Chain? chain)
    {
        if (chain is null || chain.ChainStatus.Length == 0)
        {
            return "no chain";
        }

        return string.Join("; ", chain.ChainStatus.Select(status => status.StatusInformation.Trim()).Where(text => text.Length > 0).Distinct());
    }
}
