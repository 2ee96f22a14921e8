using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using RealTimeMessageChat.UserClient.Options;

namespace RealTimeMessageChat.UserClient.Tests;

public sealed class UserClientCommandLineTests
{
    /// <summary>What <c>--help</c> promises for each option: written out, so a changed default shows up here.</summary>
    public static TheoryData<string, string, string> Rows => new()
    {
        { "--server_host", "server_host", "127.0.0.1" },
        { "--server_port", "server_port", "9876" },
        { "--use_ssl", "use_ssl", "false" },
        { "--ssl_ca_path", "ssl_ca_path", "none" },
        { "--ssl_server_name", "ssl_server_name", "none" },
        { "--rest_api_url", "rest_api_url", "http://127.0.0.1:8080" },
        { "--reconnect_interval_sec", "reconnect_interval_sec", "3" },
        { "--heartbeat_interval_sec", "heartbeat_interval_sec", "30" },
        { "--max_frame_bytes", "max_frame_bytes", "65536" },
        { "--send_queue_capacity", "send_queue_capacity", "256" },
        { "--http_timeout_sec", "http_timeout_sec", "10" },
        { "--publish_max_attempts", "publish_max_attempts", "5" },
        { "--log_root_path", "log_root_path", "logs" },
        { "--log_level", "log_level", "Information" },
        { "--user", "user", "none" },
        { "--password", "password", "none" },
        { "--register", "register", "false" },
        { "--last_seq", "last_seq", "none" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Help_EachOption_ShowsItsDefaultAndTheKeyItOverrides(string option, string key, string defaultValue)
    {
        string help = await HelpAsync();

        string row = Assert.Single(help.Split('\n'), line => Regex.IsMatch(line, $@"^\s+(\S+, )*{Regex.Escape(option)}[ ,]"));
        Assert.Contains($"[default: {defaultValue}]", row);
        Assert.Contains($"[key: {key}, env: RTMC_{key.ToUpperInvariant()}]", row);
    }

    [Fact]
    public void Rows_CoverEveryConfigurationKey()
    {
        var keys = typeof(UserClientOptions).GetProperties()
            .Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
            .OfType<string>();

        Assert.Equal(keys.Order(), Rows.Select(row => (string)row.Data.Item2).Order());
    }

    [Fact]
    public async Task Help_ShortNames_AreListedBesideTheKey()
    {
        string help = await HelpAsync();

        Assert.Contains("-u, --user", help);
        Assert.Contains("-p, --password", help);
        Assert.Contains("--last-seq, --last_seq", help);
        Assert.DoesNotContain("main_server_port", help);
    }

    [Fact]
    public async Task RunAsync_BadValueOnCommandLine_ExitsTwoNamingTheKey()
    {
        using var stderr = new StringWriter();

        int exitCode = await UserClientApp.RunAsync(["--user", "alice", "--password", "password1", "--heartbeat_interval_sec", "often"], TextReader.Null, TextWriter.Null, stderr);

        Assert.Equal(2, exitCode);
        Assert.Contains("'heartbeat_interval_sec'", stderr.ToString());
        Assert.Contains("--help", stderr.ToString());
    }

    [Fact]
    public async Task RunAsync_UnknownOption_ExitsTwoNamingIt()
    {
        using var stderr = new StringWriter();

        int exitCode = await UserClientApp.RunAsync(["--user", "alice", "--password", "password1", "--sever_port", "1"], TextReader.Null, TextWriter.Null, stderr);

        Assert.Equal(2, exitCode);
        Assert.Contains("'--sever_port'", stderr.ToString());
    }

    private static async Task<string> HelpAsync()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exitCode = await UserClientApp.RunAsync(["--help"], TextReader.Null, stdout, stderr);

        Assert.Equal(0, exitCode);
        Assert.Empty(stderr.ToString());
        return stdout.ToString();
    }
}
