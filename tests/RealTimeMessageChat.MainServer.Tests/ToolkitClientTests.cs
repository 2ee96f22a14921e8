using System.Text.Json;
using System.Text.RegularExpressions;
using RealTimeMessageChat.MainServer.Tests.Support;
using RealTimeMessageChat.Protocol.Toolkit;
using RealTimeMessageChat.TestUtilities;

namespace RealTimeMessageChat.MainServer.Tests;

/// <summary>The original C++ UserClient on our MainServer (issue 10): the toolkit's framing, chosen by the first byte.</summary>
public sealed partial class ToolkitClientTests
{
    // C1 of shared/legacy-toolkit/vectors.txt: the very bytes an unmodified C++ UserClient sends first
    // ({"id":"UserClient","sub_id":"","registered_key":"MainServer","condition":true}, LZ4-compressed).
    private const string OriginalClientConnectionHex =
        "fdfdfdfd63000000000000005f0000005b000000220100010022034e0800f040007d657572743a226e6f697469646e6f63222c227265767265536e69614d223a2279656b5f64657265747369676572222c22223a2264695f627573222c22746e65696c4372657355223a226469227bfcfcfcfc";

    [Fact]
    public async Task OriginalClientsFirstBytes_AreAnsweredAsTheOriginalServerAnswers()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using ToolkitTestClient client = await ToolkitTestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendRawAsync(Convert.FromHexString(OriginalClientConnectionHex), cts.Token);
        JsonElement reply = await client.ReadJsonAsync(ToolkitMode.Connection, cts.Token);

        Assert.Equal(["id", "sub_id", "key", "iv", "encrypt_mode", "condition"], reply.EnumerateObject().Select(p => p.Name));
        Assert.Equal("UserClient", reply.GetProperty("id").GetString());
        Assert.Matches(SessionIdPattern(), reply.GetProperty("sub_id").GetString());
        Assert.Equal(string.Empty, reply.GetProperty("key").GetString());
        Assert.Equal(string.Empty, reply.GetProperty("iv").GetString());
        Assert.False(reply.GetProperty("encrypt_mode").GetBoolean());
        Assert.True(reply.GetProperty("condition").GetBoolean());

        // The client's next (and last) frame; the original server's answer, spelling included.
        string subId = reply.GetProperty("sub_id").GetString()!;
        await client.SendMessageAsync($$"""{"id":"UserClient","sub_id":"{{subId}}","message":"received connection from Server","command":"request_client_status_update"}""", cts.Token);
        JsonElement status = await client.ReadJsonAsync(ToolkitMode.Message, cts.Token);
        Assert.Equal("update_user_clinet_status", status.GetProperty("command").GetString());
        Assert.Equal("received connection from Server", status.GetProperty("message").GetString());

        // A guest: no presence written for it.
        Assert.DoesNotContain(server.Presence.Calls, e => e.Contains("UserClient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToolkitAndModernClients_EachGetEveryBroadcastOnceInOrder()
    {
        const int Count = 200;
        using CancellationTokenSource cts = TestTimeout.Start(30);
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient modern = await server.ConnectClientAsync("alice", cts.Token);
        await using ToolkitTestClient legacyA = await ConnectToolkitAsync(server, "ClientA", string.Empty, cts.Token);
        await using ToolkitTestClient legacyB = await ConnectToolkitAsync(server, "ClientB", string.Empty, cts.Token);

        Task<List<long>> modernSeqs = modern.ReadBroadcastSeqsAsync(Count, cts.Token);
        Task<List<long>> seqsA = legacyA.ReadBroadcastSeqsAsync(Count, cts.Token);
        Task<List<long>> seqsB = legacyB.ReadBroadcastSeqsAsync(Count, cts.Token);
        for (int i = 0; i < Count; i++)
        {
            server.Log.Append($"message {i}", sender: "bob");
        }

        Assert.Equal(FrameAssertions.Range(1, Count), await modernSeqs);
        Assert.Equal(FrameAssertions.Range(1, Count), await seqsA);
        Assert.Equal(FrameAssertions.Range(1, Count), await seqsB);
        await modern.AssertNothingPendingAsync(cts.Token);
    }

    [Fact]
    public async Task ToolkitGuest_GetsTheGlobalRoomOnly()
    {
        using CancellationTokenSource cts = TestTimeout.Start(30);
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using ToolkitTestClient legacy = await ConnectToolkitAsync(server, "Guest", string.Empty, cts.Token);

        server.Log.Append("in a room", room: "team-1", sender: "bob");
        server.Log.Append("to everyone", sender: "bob");

        Assert.Equal([1L], await legacy.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    [Fact]
    public async Task Reconnect_WithThePreviousSubId_IsWelcomedUnderIt()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using ToolkitTestClient client = await ToolkitTestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendConnectionAsync("Client7", "0001-0002-0003-0004-0005", "MainServer", cts.Token);
        JsonElement reply = await client.ReadJsonAsync(ToolkitMode.Connection, cts.Token);

        Assert.True(reply.GetProperty("condition").GetBoolean());
        Assert.Equal("0001-0002-0003-0004-0005", reply.GetProperty("sub_id").GetString());
    }

    [Theory]
    [InlineData("off", "MainServer")]
    [InlineData("on", "NotTheKey")]
    public async Task TurnedOffOrWrongKey_GetsConditionFalseAndIsClosed(string clients, string key)
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?>
        {
            ["legacy_toolkit_clients"] = clients == "on" ? "true" : "false",
        });
        await using TestClient bystander = await server.ConnectClientAsync("alice", cts.Token);
        await using ToolkitTestClient client = await ToolkitTestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendConnectionAsync("UserClient", string.Empty, key, cts.Token);
        JsonElement reply = await client.ReadJsonAsync(ToolkitMode.Connection, cts.Token);

        Assert.False(reply.GetProperty("condition").GetBoolean());
        Assert.True(reply.TryGetProperty("key", out _) && reply.TryGetProperty("iv", out _) && reply.TryGetProperty("encrypt_mode", out _));
        Assert.True(await client.IsClosedAsync(cts.Token));
        server.Log.Append("still served", sender: "bob");
        Assert.Equal([1L], await bystander.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    [Fact]
    public async Task ToolkitGarbage_AfterTheStartByte_IsRefusedAndOthersKeepBeingServed()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient bystander = await server.ConnectClientAsync("alice", cts.Token);
        await using ToolkitTestClient client = await ToolkitTestClient.OpenAsync(server.EndPoint, cts.Token);

        // A start code and a body length far over max_frame_bytes.
        await client.SendRawAsync([0xFD, 0xFD, 0xFD, 0xFD, 0, 0, 0, 0x10, 0, 0, 0, 0], cts.Token);

        ToolkitFrame error = await client.ReadFrameAsync(cts.Token);
        Assert.Equal(ToolkitMode.Message, error.Mode);
        using (JsonDocument document = JsonDocument.Parse(error.Data))
        {
            Assert.Equal("error", document.RootElement.GetProperty("command").GetString());
        }

        Assert.True(await client.IsClosedAsync(cts.Token));
        server.Log.Append("still served", sender: "bob");
        Assert.Equal([1L], await bystander.ReadBroadcastSeqsAsync(1, cts.Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Broadcasts_AreCompressedExactlyWhenLegacyToolkitCompressIsOn(bool compress)
    {
        const int Count = 20;
        using CancellationTokenSource cts = TestTimeout.Start(30);
        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?>
        {
            ["legacy_toolkit_compress"] = compress ? "true" : "false",
        });
        await using ToolkitTestClient legacy = await ConnectToolkitAsync(server, "Compressed", string.Empty, cts.Token);

        // 3 KiB of repetitive text: several 1 KiB chunks, each well compressible.
        string content = string.Concat(Enumerable.Repeat("the same words again and again ", 100));
        for (int i = 0; i < Count; i++)
        {
            server.Log.Append($"{i}: {content}", sender: "bob");
        }

        for (int i = 0; i < Count; i++)
        {
            ToolkitFrame frame = await legacy.ReadFrameAsync(cts.Token);
            Assert.Equal(ToolkitMode.Message, frame.Mode);
            Assert.Equal(compress, legacy.LastFrameWasCompressed);
            using JsonDocument document = JsonDocument.Parse(frame.Data);
            JsonElement message = document.RootElement.GetProperty("message");
            Assert.Equal(i + 1, message.GetProperty("seq").GetInt64());
            Assert.Equal($"{i}: {content}", message.GetProperty("data").GetString());
        }
    }

    private static async Task<ToolkitTestClient> ConnectToolkitAsync(TestServer server, string title, string subId, CancellationToken cancellationToken)
    {
        ToolkitTestClient client = await ToolkitTestClient.OpenAsync(server.EndPoint, cancellationToken);
        await client.SendConnectionAsync(title, subId, "MainServer", cancellationToken);
        JsonElement reply = await client.ReadJsonAsync(ToolkitMode.Connection, cancellationToken);
        Assert.True(reply.GetProperty("condition").GetBoolean(), reply.ToString());
        return client;
    }

    [GeneratedRegex("^[0-9A-F]{4}(-[0-9A-F]{4}){4}$")]
    private static partial Regex SessionIdPattern();
}
