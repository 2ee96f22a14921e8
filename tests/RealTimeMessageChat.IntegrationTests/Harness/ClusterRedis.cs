using System.Globalization;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>
/// The three-master Redis Cluster that <c>./build.sh test</c> starts beside the single Redis
/// (eng/cluster.sh), read from <c>RTMC_TEST_REDIS_CLUSTER_HOST</c>, <c>_PORT</c> (one node; the
/// client finds the others) and <c>_PASSWORD</c>.
/// </summary>
public static class ClusterRedis
{
    public const string HostVariable = "RTMC_TEST_REDIS_CLUSTER_HOST";
    public const string PortVariable = "RTMC_TEST_REDIS_CLUSTER_PORT";
    public const string PasswordVariable = "RTMC_TEST_REDIS_CLUSTER_PASSWORD";

    /// <summary>
    /// The cluster; under <c>./build.sh test</c> (<c>RTMC_SERVICES=1</c>) a missing one fails the
    /// test, a bare <c>dotnet test</c> skips it, naming the command that starts one.
    /// </summary>
    public static RedisEndpoint Require()
    {
        string? host = Environment.GetEnvironmentVariable(HostVariable);
        string? port = Environment.GetEnvironmentVariable(PortVariable);
        if (!string.IsNullOrEmpty(host) && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            return new RedisEndpoint(host, number, Environment.GetEnvironmentVariable(PasswordVariable) ?? string.Empty);
        }

        string missing = $"{HostVariable}/{PortVariable} are not set ('{host}', '{port}')";
        if (Environment.GetEnvironmentVariable(LoopbackServices.StartedVariable) == "1")
        {
            Assert.Fail($"{LoopbackServices.StartedVariable}=1 but no Redis Cluster: {missing}; ./build.sh services start --instance test starts one.");
        }

        Assert.Skip($"Needs the Redis Cluster of ./build.sh test ({missing})");
        throw new InvalidOperationException("unreachable");
    }
}
