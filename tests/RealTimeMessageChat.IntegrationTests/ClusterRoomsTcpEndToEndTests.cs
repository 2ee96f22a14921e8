namespace RealTimeMessageChat.IntegrationTests;

/// <summary><see cref="RoomsTcpEndToEndTests"/> (rooms on TCP over two MainServers) on the three-master Redis Cluster.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ClusterRoomsTcpEndToEndTests(TestServicesFixture services) : RoomsTcpEndToEndTests(services)
{
    protected override RedisEndpoint? RedisCluster => ClusterRedis.Require();
}
