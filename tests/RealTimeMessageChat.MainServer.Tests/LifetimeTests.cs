using System.Text.Json;
using RealTimeMessageChat.MainServer.Tests.Support;

namespace RealTimeMessageChat.MainServer.Tests;

public sealed class LifetimeTests
{
    [Fact]
    public async Task Handshake_NotSentInTime_RepliesTimeoutAndCloses()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?> { ["handshake_timeout_sec"] = "1" });
        await using TestClient client = await TestClient.OpenAsync(server.EndPoint, cts.Token);

        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        JsonElement reply = Assert.Single(frames);
        Assert.Equal("connection", reply.Command());
        Assert.False(reply.GetProperty("condition").GetBoolean());
        Assert.Equal("handshake timeout", reply.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Heartbeat_ClientAnswersPings_StaysConnected_SilentClientIsClosed()
    {
        using CancellationTokenSource cts = TestTimeout.Start(20);
        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?> { ["heartbeat_interval_sec"] = "1" });
        await using TestClient silent = await server.ConnectClientAsync("silent", cts.Token);
        await using TestClient lively = await server.ConnectClientAsync("lively", cts.Token);
        var closedSilent = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Registry.Removed += c =>
        {
            if (c.UserId == "silent")
            {
                closedSilent.TrySetResult(c.CloseReason);
            }
        };

        Task<List<JsonElement>> silentFrames = silent.ReadUntilClosedAsync(cts.Token);
        int pings = 0;
        while (!closedSilent.Task.IsCompleted)
        {
            JsonElement frame = await lively.ReadFrameAsync(cts.Token);
            Assert.Equal("heartbeat:ping", frame.Command());
            pings++;
            await lively.SendCommandAsync("heartbeat:pong", cts.Token);
        }

        string? reason = await closedSilent.Task;
        List<JsonElement> seenBySilent = await silentFrames;

        Assert.Equal("silent for three heartbeat intervals", reason);
        Assert.True(pings >= 2, $"lively client saw {pings} pings");
        Assert.All(seenBySilent, f => Assert.Equal("heartbeat:ping", f.Command()));
        await lively.AssertNothingPendingAsync(cts.Token);
    }

    [Fact]
    public async Task PartialFrame_AfterConnect_NotFinishedInTime_RepliesErrorAndCloses()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        await using TestServer server = await TestServer.StartAsync(cts.Token, new Dictionary<string, string?> { ["frame_timeout_sec"] = "1" });
        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token);

        // A header announcing 100 bytes, then only 10 of them.
        await client.SendRawAsync([0, 0, 0, 100, .. new byte[10]], cts.Token);
        List<JsonElement> frames = await client.ReadUntilClosedAsync(cts.Token);

        JsonElement error = Assert.Single(frames);
        Assert.Equal("error", error.Command());
        Assert.Contains("frame_timeout_sec", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_WithConnectedClients_DeliversQueuedFramesAndCloses()
    {
        using CancellationTokenSource cts = TestTimeout.Start();
        TestServer server = await TestServer.StartAsync(cts.Token);
        var registry = server.Registry;
        await using TestClient client = await server.ConnectClientAsync("bob", cts.Token);
        server.Log.Append("last words");
        Assert.Equal([1L], await client.ReadBroadcastSeqsAsync(1, cts.Token));

        Task stopping = server.DisposeAsync().AsTask();
        List<JsonElement> rest = await client.ReadUntilClosedAsync(cts.Token);
        await stopping.WaitAsync(cts.Token);

        Assert.Empty(rest);
        Assert.Empty(registry.Snapshot());
        Assert.Contains(server.Presence.Calls, c => c.StartsWith("offline:bob:", StringComparison.Ordinal));
    }
}
