namespace RealTimeMessageChat.IntegrationTests.Chaos;

/// <summary>
/// How long and how hard a fault run is. <see cref="Short"/> runs inside <c>./build.sh test</c> (every
/// fault once, about two minutes); <see cref="Full"/> is <c>./build.sh chaos</c> (every fault three
/// times, the 10 s partition, more publishes in flight).
/// </summary>
/// <param name="Name">short or full.</param>
/// <param name="Rounds">How many times the whole schedule of faults runs.</param>
/// <param name="Partition">How long MainServer B is cut off from Redis.</param>
/// <param name="Settle">Load without a fault, before the first and after each fault.</param>
/// <param name="Publishers">Users publishing at once.</param>
/// <param name="InFlightPerPublisher">Requests each publisher keeps in flight.</param>
/// <param name="Interval">Every slot sends a message on each tick of this interval: a burst of requests in flight at once, at a rate the two cores can share.</param>
/// <param name="Clients">TCP clients, spread over the two MainServers.</param>
public sealed record ChaosProfile(string Name, int Rounds, TimeSpan Partition, TimeSpan Settle, int Publishers, int InFlightPerPublisher, TimeSpan Interval, int Clients)
{
    public const string Variable = "RTMC_CHAOS_PROFILE";

    public static ChaosProfile Short { get; } = new("short", 1, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), 4, 12, TimeSpan.FromMilliseconds(100), 6);

    public static ChaosProfile Full { get; } = new("full", 3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(4), 4, 16, TimeSpan.FromMilliseconds(50), 8);

    public int InFlight => Publishers * InFlightPerPublisher;

    public static ChaosProfile FromEnvironment() => Environment.GetEnvironmentVariable(Variable) switch
    {
        null or "" or "short" => Short,
        "full" => Full,
        string other => throw new InvalidOperationException($"{Variable}='{other}': use short or full"),
    };
}
