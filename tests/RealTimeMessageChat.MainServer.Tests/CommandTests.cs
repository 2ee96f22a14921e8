using System.Text.Json;
using RealTimeMessageChat.MainServer.Tests.Support;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class CommandTests
{
    [Fact]
    public async Task HeartbeatPing_AfterConnect_RepliesPong()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token);

        await client.SendCommandAsync("heartbeat:ping", cts.Token);
        JsonElement reply = await client.ReadFrameAsync(cts.Token);

        Assert.Equal("heartbeat:pong", reply.Command());
    }

    [Fact]
    public async Task StatusUpdate_AfterConnect_EchoesAndRecordsStatus()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token);

        await client.SendJsonAsync(new { command = "request_client_status_update", id = "bob", sub_id = "", message = "away" }, cts.Token);
        JsonElement reply = await client.ReadFrameAsync(cts.Token);
        string recorded = await server.Presence.StatusRecorded.Task.WaitAsync(cts.Token);

        Assert.Equal("update_user_clinet_status", reply.Command());
        Assert.Equal("away", reply.GetProperty("message").GetString());
        Assert.Equal("bob:away", recorded);
    }

    [Theory]
    [InlineData("no_such_command")]
    [InlineData("send_broadcast_message")]
    [InlineData("connection")]
    public async Task Command_NotAllowedAfterConnect_RepliesErrorAndStaysConnected(string command)
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token);
        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token);

        await client.SendCommandAsync(command, cts.Token);
        JsonElement reply = await client.ReadFrameAsync(cts.Token);

        Assert.Equal("error", reply.Command());
        Assert.False(string.IsNullOrEmpty(reply.GetProperty("message").GetString()));
        await client.AssertNothingPendingAsync(cts.Token);
        server.Log.Append("still here");
        Assert.Equal([1L], await client.ReadBroadcastSeqsAsync(1, cts.Token));
    }
}
