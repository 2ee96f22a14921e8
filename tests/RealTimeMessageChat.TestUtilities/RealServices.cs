using Xunit;

namespace RealTimeMessageChat.TestUtilities;

/// <summary>
/// The one rule for tests that need the real Redis, RabbitMQ and PostgreSQL that <c>./build.sh test</c>
/// starts: under that command (<c>RTMC_SERVICES=1</c>) a missing variable is a failure; a bare
/// <c>dotnet test</c> without the services skips, naming the command to run.
/// </summary>
public static class RealServices
{
    public static void Require(params string[] variables)
    {
        string? missing = variables.FirstOrDefault(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));
        if (missing is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("RTMC_SERVICES") == "1")
        {
            Assert.Fail($"RTMC_SERVICES=1 but {missing} is not set: the services were not started.");
        }

        Assert.Skip("Needs real Redis, RabbitMQ and PostgreSQL: run ./build.sh test");
    }
}
