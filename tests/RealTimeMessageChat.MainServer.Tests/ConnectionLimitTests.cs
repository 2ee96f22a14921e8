using System.Text.Json;
using RealTimeMessageChat.MainServer.Tests.Support;

namespace RealTimeMessageChat.MainServer.Tests;

/// <summary>max_connections and max_connections_per_address: a refused client is told why; the others are not disturbed.</summary>
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task ConnectionsFromOneAddressOverItsLimit_GetTheReasonAndAreClosed_OthersKeepBeingServed()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?> { ["max_connections_per_address"] = "2" });
        await using TestClient first = await server.ConnectClientAsync("alice", cts.Token);
        TestClient second = await server.ConnectClientAsync("bob", cts.Token);

        await using (TestClient third = await TestClient.OpenAsync(server.EndPoint, cts.Token))
        {
            List<JsonElement> frames = await third.ReadUntilClosedAsync(cts.Token);
            JsonElement error = Assert.Single(frames);
            Assert.Equal("error", error.GetProperty("command").GetString());
            Assert.Contains("max_connections_per_address (2)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        server.Log.Append("still here");
        Assert.Equal([1L], await first.ReadBroadcastSeqsAsync(1, cts.Token));

        // A place freed is a place taken again.
        await second.DisposeAsync();
        await WaitUntilAsync(() => server.Registry.Count == 1, cts.Token);
        await using TestClient again = await server.ConnectClientAsync("carol", cts.Token);
        server.Log.Append("and you");
        Assert.Equal([2L], await again.ReadBroadcastSeqsAsync(1, cts.Token));
        Assert.Equal([2L], await first.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    [Fact]
    public async Task ServerAtMaxConnections_RefusesTheNextWithTheReason()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?> { ["max_connections"] = "1" });
        await using TestClient first = await server.ConnectClientAsync("alice", cts.Token);

        await using TestClient refused = await TestClient.OpenAsync(server.EndPoint, cts.Token);
        List<JsonElement> frames = await refused.ReadUntilClosedAsync(cts.Token);

        JsonElement error = Assert.Single(frames);
        Assert.Contains("max_connections (1)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        server.Log.Append("served");
        Assert.Equal([1L], await first.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    [Fact]
    public async Task ThousandConnectionsAtOnce_AreAllAccepted_AndAllReceive()
    {
        using CancellationTokenSource cts = TestTimeout.Start(60);
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        const int Clients = 1_000;

        TestClient[] clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => server.ConnectClientAsync($"u{i}", cts.Token)));
        try
        {
            server.Log.Append("to all");
            List<long>[] received = await Task.WhenAll(clients.Select(c => c.ReadBroadcastSeqsAsync(1, cts.Token)));
            Assert.All(received, seqs => Assert.Equal([1L], seqs));
        }
        finally
        {
            foreach (TestClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
