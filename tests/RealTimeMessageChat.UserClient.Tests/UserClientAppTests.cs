namespace RealTimeMessageChat.UserClient.Tests;

public sealed class UserClientAppTests
{
    [Fact]
    public async Task RunAsync_BadConfigurationValue_ExitsTwoNamingTheKey()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exitCode = await UserClientApp.RunAsync(["--user", "alice", "--password", "password1", "--server_port", "0"], TextReader.Null, stdout, stderr);

        Assert.Equal(2, exitCode);
        Assert.Contains("'server_port'", stderr.ToString());
        Assert.Empty(stdout.ToString());
    }

    [Fact]
    public async Task RunAsync_NoUser_ExitsTwoNamingTheKey()
    {
        using var stderr = new StringWriter();

        int exitCode = await UserClientApp.RunAsync(["--password", "password1"], TextReader.Null, TextWriter.Null, stderr);

        Assert.Equal(2, exitCode);
        Assert.Contains("'user'", stderr.ToString());
    }
}
