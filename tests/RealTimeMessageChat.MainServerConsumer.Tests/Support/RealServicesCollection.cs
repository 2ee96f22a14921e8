using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>The tests against real Redis, RabbitMQ and PostgreSQL: one <see cref="TestServicesFixture"/> for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class RealServicesCollection : ICollectionFixture<TestServicesFixture>
{
    public const string Name = "Real services";
}
