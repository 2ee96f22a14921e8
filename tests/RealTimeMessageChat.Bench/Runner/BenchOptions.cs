namespace RealTimeMessageChat.Bench.Runner;

/// <summary>What <c>eng/bench.sh</c> tells the generator: where everything listens, and which phase to run.</summary>
internal sealed class BenchOptions
{
    public string Phase { get; set; } = "report";

    public bool Quick { get; set; }

    public string OutputDirectory { get; set; } = "bench-results";

    /// <summary>Only the measurements whose id starts with one of these (empty: all).</summary>
    public IReadOnlyList<string> Only { get; set; } = [];

    public Uri ApiUrl { get; set; } = new("http://127.0.0.1:8080");

    public int TcpPort { get; set; } = 9876;

    /// <summary>The Redis the MainServer follows (the bench instance's).</summary>
    public int RedisPort { get; set; } = 6379;

    public int MainServerPid { get; set; }

    public int AmqpPort { get; set; } = 5672;

    public string AmqpUser { get; set; } = "guest";

    public string AmqpPassword { get; set; } = "guest";

    /// <summary>Folder with the built fanout_server and fanout_client; empty when the references are not available.</summary>
    public string ReferenceBinaries { get; set; } = string.Empty;

    /// <summary>Why the C references are missing, when they are.</summary>
    public string ReferenceSkipReason { get; set; } = string.Empty;

    /// <summary>Port of the C fanout_server.</summary>
    public int ReferencePort { get; set; } = 17001;

    /// <summary>A redis-server of its own for the pub/sub reference (0: none).</summary>
    public int ReferenceRedisPort { get; set; }

    public int ReferenceRedisPid { get; set; }

    public bool Includes(string id) => Only.Count == 0 || Only.Any(prefix => id.StartsWith(prefix, StringComparison.Ordinal));
}
