namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// End-to-end tests each start three or more real processes; on two cores they run one at a time
/// so that timing noise from each other does not turn into flakiness.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "End to end";
}
