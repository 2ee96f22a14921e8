using Microsoft.Extensions.Options;
using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.MainServer.Options;
using RealTimeMessageChat.MainServer.Tests.Support;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.MainServer.Tests;

/// <summary><c>use_ssl</c> without usable files stops the start, naming the key at fault.</summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();

    public static TheoryData<string, string> BadFiles => new()
    {
        { "missing certificate file", "ssl_certificate_path" },
        { "no certificate path", "ssl_certificate_path" },
        { "certificate file without PEM", "ssl_certificate_path" },
        { "missing key file", "ssl_key_path" },
        { "no key path", "ssl_key_path" },
        { "key of another certificate", "ssl_key_path" },
        { "key file without a key", "ssl_key_path" },
        { "certificate where the key should be", "ssl_key_path" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void UseSsl_WithBadFiles_FailsValidationNamingTheKey(string name, string key)
    {
        MainServerOptions options = Options(name);

        ValidateOptionsResult result = new KeyNamedOptionsValidator<MainServerOptions>().Validate(null, options);

        Assert.True(result.Failed, name);
        Assert.Contains($"Configuration key '{key}'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void UseSsl_WithTheServersFiles_Validates()
    {
        var options = new MainServerOptions { UseSsl = true, SslCertificatePath = _pki.CertificatePath, SslKeyPath = _pki.KeyPath };

        Assert.True(new KeyNamedOptionsValidator<MainServerOptions>().Validate(null, options).Succeeded);
    }

    [Fact]
    public void UseSslOff_IgnoresTheFiles()
    {
        var options = new MainServerOptions { UseSsl = false, SslCertificatePath = "/nonexistent/server.pem" };

        Assert.True(new KeyNamedOptionsValidator<MainServerOptions>().Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task UseSsl_WithAKeyThatDoesNotMatch_StopsTheServersStart()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var settings = new Dictionary<string, string?>
        {
            ["use_ssl"] = "true",
            ["ssl_certificate_path"] = _pki.CertificatePath,
            ["ssl_key_path"] = _pki.WriteUnrelatedKey(),
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(cts.Token, settings));

        Assert.Contains("Configuration key 'ssl_key_path'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not belong to the certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseSsl_WithoutTheCertificateFile_StopsTheServersStart()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        var settings = new Dictionary<string, string?>
        {
            ["use_ssl"] = "true",
            ["ssl_certificate_path"] = Path.Combine(_pki.Directory, "absent.pem"),
            ["ssl_key_path"] = _pki.KeyPath,
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(cts.Token, settings));

        Assert.Contains("Configuration key 'ssl_certificate_path'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _pki.Dispose();

    private MainServerOptions Options(string name)
    {
        string certificate = _pki.CertificatePath;
        string key = _pki.KeyPath;
        switch (name)
        {
            case "missing certificate file":
                certificate = Path.Combine(_pki.Directory, "absent.pem");
                break;
            case "no certificate path":
                certificate = string.Empty;
                break;
            case "certificate file without PEM":
                certificate = _pki.WriteFile("garbage.pem", "not a certificate");
                break;
            case "missing key file":
                key = Path.Combine(_pki.Directory, "absent.key");
                break;
            case "no key path":
                key = string.Empty;
                break;
            case "key of another certificate":
                key = _pki.WriteUnrelatedKey();
                break;
            case "key file without a key":
                key = _pki.WriteFile("garbage.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
                break;
            case "certificate where the key should be":
                key = _pki.CaPath;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }

        return new MainServerOptions { UseSsl = true, SslCertificatePath = certificate, SslKeyPath = key };
    }
}
