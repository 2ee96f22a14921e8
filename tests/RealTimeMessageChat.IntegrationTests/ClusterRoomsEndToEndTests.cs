namespace RealTimeMessageChat.IntegrationTests;

/// <summary>The rooms suite over HTTP and TCP (<see cref="RoomsEndToEndTests"/>) on the three-master Redis Cluster.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ClusterRoomsEndToEndTests(TestServicesFixture services) : RoomsEndToEndTests(services)
{
    protected override RedisEndpoint? RedisCluster => ClusterRedis.Require();
}
