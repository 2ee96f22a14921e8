namespace RealTimeMessageChat.IntegrationTests;

/// <summary>
/// End-to-end tests each start three or more real processes; on two cores they run one at a time
/// so that timing noise from each other does not turn into flakiness. They share one
/// <see cref="TestServicesFixture"/>: the Redis, RabbitMQ and PostgreSQL those processes use.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection : ICollectionFixture<TestServicesFixture>
{
    public const string Name = "End to end";
}
