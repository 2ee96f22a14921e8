using System.Collections;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.UserClient.Configuration;
using RealTimeMessageChat.UserClient.Options;

namespace RealTimeMessageChat.UserClient.Tests;

public sealed class UserClientConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rtmc-userclient-").FullName;

    public UserClientConfigurationTests()
    {
        File.WriteAllText(Path.Combine(_directory, UserClientConfiguration.FileName), """
            {"server_host": "file-host", "server_port": 1111, "rest_api_url": "http://file:8080", "reconnect_interval_sec": 3, "user": "from_file"}
            """);
    }

    [Fact]
    public void Load_FileEnvironmentAndCommandLine_LaterSourceWins()
    {
        var environment = Environment(("RTMC_SERVER_PORT", "2222"), ("RTMC_SERVER_HOST", "env-host"), ("OTHER_SERVER_PORT", "9"));

        UserClientOptions options = UserClientConfiguration.Load(["--server_host", "cli-host", "--user", "alice"], environment);

        Assert.Equal("cli-host", options.ServerHost);
        Assert.Equal(2222, options.ServerPort);
        Assert.Equal("http://file:8080", options.RestApiUrl);
        Assert.Equal("alice", options.User);
        Assert.Equal(30, options.HeartbeatIntervalSec);
    }

    [Fact]
    public void Load_ClientSwitches_AreBound()
    {
        UserClientOptions options = UserClientConfiguration.Load(
            ["--register", "--user", "bob", "--last-seq", "41", "--password", "secret123"], Environment());

        Assert.True(options.Register);
        Assert.Equal("bob", options.User);
        Assert.Equal(41, options.LastSeq);
        Assert.Equal("secret123", options.Password);
    }

    [Fact]
    public void Load_PasswordFromEnvironment_IsUsed()
    {
        UserClientOptions options = UserClientConfiguration.Load([], Environment(("RTMC_PASSWORD", "from-env-pw")));

        Assert.Equal("from-env-pw", options.Password);
        Assert.False(options.Register);
        Assert.Null(options.LastSeq);
    }

    [Theory]
    [InlineData("--server_port", "70000", "server_port")]
    [InlineData("--server_port", "abc", "server_port")]
    [InlineData("--rest_api_url", "not a url", "rest_api_url")]
    [InlineData("--user", "bad user!", "user")]
    [InlineData("--reconnect_interval_sec", "0", "reconnect_interval_sec")]
    [InlineData("--last-seq", "-1", "last_seq")]
    public void Load_BadValue_FailsNamingTheKey(string key, string value, string expectedKey)
    {
        var ex = Assert.Throws<UserClientConfigurationException>(() => UserClientConfiguration.Load([key, value], Environment()));

        Assert.Contains($"'{expectedKey}'", ex.Message);
    }

    [Fact]
    public void Load_UnknownOption_FailsNamingIt()
    {
        var ex = Assert.Throws<UserClientConfigurationException>(() => UserClientConfiguration.Load(["--sever_port", "1", "--user", "alice"], Environment()));

        Assert.Contains("'--sever_port'", ex.Message);
    }

    [Fact]
    public void Load_OriginalSpellingOnCommandLine_OverridesTheFile()
    {
        UserClientOptions options = UserClientConfiguration.Load(["--main_server_port", "4444", "--main_server_host", "old-host"], Environment());

        Assert.Equal(4444, options.ServerPort);
        Assert.Equal("old-host", options.ServerHost);
    }

    [Fact]
    public void Load_OriginalAndCanonicalSpellingOnCommandLine_CanonicalWins()
    {
        UserClientOptions options = UserClientConfiguration.Load(["--server_port", "5555", "--main_server_port", "4444"], Environment());

        Assert.Equal(5555, options.ServerPort);
    }

    [Theory]
    [InlineData("--register", "false", false)]
    [InlineData("--register", "true", true)]
    [InlineData("--register=false", null, false)]
    public void Load_RegisterWithExplicitValue_IsBound(string flag, string? value, bool expected)
    {
        string[] args = value is null ? [flag, "--user", "bob"] : [flag, value, "--user", "bob"];

        UserClientOptions options = UserClientConfiguration.Load(args, Environment());

        Assert.Equal(expected, options.Register);
    }

    [Theory]
    [InlineData("@not-a-response-file")]
    [InlineData("-starts-with-a-dash")]
    public void Load_PasswordThatLooksLikeSyntax_IsTakenAsTheValue(string password)
    {
        UserClientOptions options = UserClientConfiguration.Load(["-u", "bob", "-p", password], Environment());

        Assert.Equal(password, options.Password);
    }

    [Fact]
    public void Load_NoConfigFile_FailsNamingTheFile()
    {
        string empty = Directory.CreateTempSubdirectory("rtmc-empty-").FullName;
        try
        {
            var ex = Assert.Throws<UserClientConfigurationException>(() => UserClientConfiguration.Load([], Environment(("RTMC_CONFIG_DIR", empty))));

            Assert.Contains(UserClientConfiguration.FileName, ex.Message);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void FindConfigFile_NoExplicitDirectory_WalksUpFromWorkingDirectory()
    {
        string configDirectory = Path.Combine(_directory, "config");
        Directory.CreateDirectory(configDirectory);
        File.Copy(Path.Combine(_directory, UserClientConfiguration.FileName), Path.Combine(configDirectory, UserClientConfiguration.FileName));
        string nested = Directory.CreateDirectory(Path.Combine(_directory, "a", "b")).FullName;

        string found = ConfigFileLocator.Find(UserClientConfiguration.FileName, null, nested, "/nonexistent");

        Assert.Equal(Path.Combine(configDirectory, UserClientConfiguration.FileName), found);
    }

    [Fact]
    public void Load_TlsKeys_AreOffByDefaultAndBound()
    {
        using TestPki pki = TestPki.Create();

        UserClientOptions plain = UserClientConfiguration.Load([], Environment());
        UserClientOptions tls = UserClientConfiguration.Load(["--use_ssl", "--ssl_ca_path", pki.CaPath, "--ssl_server_name", "chat.example.org"], Environment());

        Assert.False(plain.UseSsl);
        Assert.Null(plain.SslCaPath);
        Assert.Null(plain.SslServerName);
        Assert.True(tls.UseSsl);
        Assert.Equal(pki.CaPath, tls.SslCaPath);
        Assert.Equal("chat.example.org", tls.SslServerName);
    }

    [Theory]
    [InlineData("absent.pem")]
    [InlineData("not-pem.txt")]
    public void Load_CaFileMissingOrWithoutCertificates_FailsNamingTheKey(string name)
    {
        string path = Path.Combine(_directory, name);
        if (name.EndsWith(".txt", StringComparison.Ordinal))
        {
            File.WriteAllText(path, "no certificate here");
        }

        var ex = Assert.Throws<UserClientConfigurationException>(() => UserClientConfiguration.Load(["--use_ssl", "--ssl_ca_path", path], Environment()));

        Assert.Contains("'ssl_ca_path'", ex.Message);
    }

    [Fact]
    public void Load_BadServerName_FailsNamingTheKey()
    {
        var ex = Assert.Throws<UserClientConfigurationException>(() => UserClientConfiguration.Load(["--use_ssl", "--ssl_server_name", "not a name!"], Environment()));

        Assert.Contains("'ssl_server_name'", ex.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Hashtable Environment(params (string Name, string Value)[] variables)
    {
        var environment = new Hashtable { ["RTMC_CONFIG_DIR"] = _directory };
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return environment;
    }
}
