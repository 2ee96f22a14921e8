using System.Text.Json;
using RealTimeMessageChat.Protocol.Toolkit;

namespace RealTimeMessageChat.IntegrationTests;

/// <summary>Issue 10 through the whole system: C++ toolkit clients beside our own, on real servers.</summary>
[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ToolkitEndToEndTests(TestServicesFixture services)
{
    private const int Messages = 200;

    [Fact]
    public async Task ToolkitAndModernClients_200MessagesPublished_EachGetsEveryOneOnceInOrder()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct);
        using var api = new ChatApi(system.RestApiUrl);
        string user = $"sender_{system.Id}";
        string token = await api.RegisterAndLoginAsync(user, "pw-" + Guid.NewGuid().ToString("N"), ct);
        int port = system.MainServers[0].TcpPort;
        var endPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port);

        ChatClient modern = await ChatClient.ConnectAsync(port, user, token, ct);
        var toolkit = new List<ToolkitTestClient>();
        string? firstSubId = null;
        for (int i = 0; i < 2; i++)
        {
            ToolkitTestClient client = await ToolkitTestClient.OpenAsync(endPoint, ct);
            await client.SendConnectionAsync($"UserClient{i}", string.Empty, "MainServer", ct);
            JsonElement reply = await client.ReadJsonAsync(ToolkitMode.Connection, ct);
            Assert.True(reply.GetProperty("condition").GetBoolean(), reply.ToString());
            firstSubId ??= reply.GetProperty("sub_id").GetString();
            toolkit.Add(client);
        }

        Task modernReceiving = modern.ReceiveUntilAsync(Messages, ct);
        List<Task<List<long>>> toolkitReceiving = [.. toolkit.Select(c => c.ReadBroadcastSeqsAsync(Messages, ct))];
        for (int m = 0; m < Messages; m++)
        {
            await api.PublishAcceptedAsync(token, $"message {m}", ct);
        }

        await PipelineEndToEndTests.WithTails(system, Task.WhenAll([modernReceiving, .. toolkitReceiving]));
        Assert.Equal(Enumerable.Range(1, Messages).Select(i => (long)i), modern.Received.Select(b => b.Seq));
        foreach (Task<List<long>> seqs in toolkitReceiving)
        {
            Assert.Equal(Enumerable.Range(1, Messages).Select(i => (long)i), await seqs);
        }

        // The original client retries with its previous session id after a drop: welcomed under it.
        await toolkit[0].DisposeAsync();
        await using ToolkitTestClient returning = await ToolkitTestClient.OpenAsync(endPoint, ct);
        await returning.SendConnectionAsync("UserClient0", firstSubId!, "MainServer", ct);
        JsonElement again = await returning.ReadJsonAsync(ToolkitMode.Connection, ct);
        Assert.True(again.GetProperty("condition").GetBoolean());
        Assert.Equal(firstSubId, again.GetProperty("sub_id").GetString());

        await toolkit[1].DisposeAsync();
        await modern.DisposeAsync();
        var exitCodes = await system.StopAllAsync();
        Assert.All(exitCodes, pair => Assert.True(pair.Value == 0, $"{pair.Key} exited with {pair.Value}{Environment.NewLine}{system.Tails()}"));
    }
}
