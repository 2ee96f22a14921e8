using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RealTimeMessageChat.TestUtilities;

/// <summary>
/// A throwaway certificate authority for TLS tests, in a temp folder deleted on dispose: a root
/// CA, an intermediate CA, and a server certificate for <c>localhost</c> and 127.0.0.1 issued by
/// the intermediate. The server files are laid out as a server expects them: the certificate file
/// holds the server certificate then the intermediate, the key file the server's PKCS#8 key.
/// ECDSA P-256 throughout: keys are made in microseconds.
/// </summary>
public sealed class TestPki : IDisposable
{
    private TestPki(string directory, X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 server)
    {
        Directory = directory;
        Root = root;
        Intermediate = intermediate;
        Server = server;
        CaPath = Path.Combine(directory, "ca.pem");
        CertificatePath = Path.Combine(directory, "server.pem");
        KeyPath = Path.Combine(directory, "server.key");
        File.WriteAllText(CaPath, root.ExportCertificatePem());
        File.WriteAllText(CertificatePath, server.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem());
        using ECDsa key = server.GetECDsaPrivateKey()!;
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public string Directory { get; }

    /// <summary>The root CA's certificate (no key): what a client trusts.</summary>
    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    /// <summary>The server certificate with its private key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>PEM of the root CA: the client's <c>ssl_ca_path</c>.</summary>
    public string CaPath { get; }

    /// <summary>PEM of the server certificate and the intermediate: the server's <c>ssl_certificate_path</c>.</summary>
    public string CertificatePath { get; }

    /// <summary>PEM of the server's private key: the server's <c>ssl_key_path</c>.</summary>
    public string KeyPath { get; }

    public static TestPki Create(string name = "RTMC Test")
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("rtmc-pki-").FullName;
        DateTimeOffset notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        DateTimeOffset notAfter = DateTimeOffset.UtcNow.AddDays(1);

        using ECDsa rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest($"CN={name} Root CA", rootKey, HashAlgorithmName.SHA256);
        AddCaExtensions(rootRequest, pathLength: 1);
        X509Certificate2 rootWithKey = rootRequest.CreateSelfSigned(notBefore, notAfter);

        using ECDsa intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest($"CN={name} Intermediate CA", intermediateKey, HashAlgorithmName.SHA256);
        AddCaExtensions(intermediateRequest, pathLength: 0);
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(rootWithKey, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using X509Certificate2 intermediatePublic = intermediateRequest.Create(rootWithKey, notBefore, notAfter, Serial());
        X509Certificate2 intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using ECDsa serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(intermediate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using X509Certificate2 serverPublic = serverRequest.Create(intermediate, notBefore, notAfter, Serial());
        X509Certificate2 server = serverPublic.CopyWithPrivateKey(serverKey);

        // The root without its key: nothing in a test should be able to issue more.
        X509Certificate2 root = X509CertificateLoader.LoadCertificate(rootWithKey.RawData);
        rootWithKey.Dispose();
        return new TestPki(directory, root, intermediate, server);
    }

    /// <summary>Writes a fresh private key that belongs to no certificate here; returns its path.</summary>
    public string WriteUnrelatedKey()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string path = Path.Combine(Directory, "unrelated.key");
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        return path;
    }

    /// <summary>Writes <paramref name="text"/> to a file in the folder; returns its path.</summary>
    public string WriteFile(string name, string text)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A chain policy that trusts this root only (for a test client's <c>CertificateChainPolicy</c>).</summary>
    public X509ChainPolicy TrustRootOnly()
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(Root);
        return policy;
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        Server.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static void AddCaExtensions(CertificateRequest request, int pathLength)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, pathLength, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }

    private static byte[] Serial()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);

        // A positive integer in DER, as RFC 5280 asks.
        serial[0] &= 0x7F;
        return serial;
    }
}
