using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using RealTimeMessageChat.MainServer.Tests.Support;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class BadFrameTests
{
    public static TheoryData<string, byte[]> BadFrames => new()
    {
        { "length zero", Header(0) },
        { "length over the limit", Header(65_537) },
        { "length with the top bit set", Header(unchecked((int)0x80000010)) },
        { "invalid JSON", Frame("{\"command\": ") },
        { "invalid UTF-8", Frame([.. Encoding.UTF8.GetBytes("{\"command\":\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")]) },
        { "not an object", Frame("[1,2,3]") },
        { "no command", Frame("{\"id\":\"bob\"}") },
        { "command not a string", Frame("{\"command\":42}") },

        // Valid UTF-8 and valid JSON, but an escape no string can hold (issue 9, defect 2).
        { "lone surrogate as the command", Frame("{\"command\":\"\\ud800\"}") },
    };

    [Theory]
    [InlineData("{\"command\":\"connection\",\"id\":\"\\udc00\",\"token\":\"x\"}")]
    [InlineData("{\"command\":\"connection\",\"id\":\"bob\",\"token\":\"\\ud800\"}")]
    public async Task LoneSurrogateInAConnectionField_RepliesErrorAndCloses(string json)
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendRawAsync(Frame(json), cts.Token);
        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        JsonElement reply = Assert.Single(frames);
        Assert.True(reply.Command() is "error" or "connection", TestClient.Describe(reply));
        Assert.False(reply.TryGetProperty("condition", out JsonElement condition) && condition.GetBoolean(), TestClient.Describe(reply));
    }

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task BadFrame_AfterConnect_RepliesErrorClosesAndLeavesOthersWorking(string name, byte[] bytes)
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient bystander = await server.ConnectClientAsync("alice", cts.Token);
        await using TestClient offender = await server.ConnectClientAsync("bob", cts.Token);

        await offender.SendRawAsync(bytes, cts.Token);
        List<JsonElement> frames = await offender.ReadUntilClosedAsync(cts.Token);
        server.Log.Append("after " + name);

        JsonElement error = Assert.Single(frames);
        Assert.Equal("error", error.Command());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal([1L], await bystander.ReadBroadcastSeqsAsync(1, cts.Token));
        await bystander.AssertNothingPendingAsync(cts.Token);
    }

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task BadFrame_BeforeConnect_RepliesErrorAndCloses(string name, byte[] bytes)
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        await client.SendRawAsync(bytes, cts.Token);
        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        JsonElement error = Assert.Single(frames);
        Assert.True(error.Command() == "error", $"{name}: {TestClient.Describe(error)}");
    }

    private static byte[] Header(int length)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, length);
        return header;
    }

    private static byte[] Frame(string json) => Frame(Encoding.UTF8.GetBytes(json));

    private static byte[] Frame(byte[] payload) => [.. Header(payload.Length), .. payload];
}
