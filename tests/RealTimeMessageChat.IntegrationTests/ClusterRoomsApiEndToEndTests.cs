namespace RealTimeMessageChat.IntegrationTests;

/// <summary><see cref="RoomsApiEndToEndTests"/> (rooms, members, DMs and reads over HTTP) on the three-master Redis Cluster.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ClusterRoomsApiEndToEndTests(TestServicesFixture services) : RoomsApiEndToEndTests(services)
{
    protected override RedisEndpoint? RedisCluster => ClusterRedis.Require();
}
