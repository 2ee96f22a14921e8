using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace RealTimeMessageChat.IntegrationTests;

[Collection(EndToEndCollection.Name)]
[Trait("Category", "Integration")]
public sealed class BadInputEndToEndTests(TestServicesFixture services)
{
    [Fact]
    public async Task BadInputAtEveryEdge_GetsTheContractsAnswer_AndTheSystemKeepsServing()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.EndToEnd);
        var ct = cts.Token;
        await using ChatSystem system = await ChatSystem.StartAsync(services.Require(), ct);
        using var api = new ChatApi(system.RestApiUrl);
        string user = "bad_" + system.Id;
        string token = await api.RegisterAndLoginAsync(user, "pw-" + Guid.NewGuid().ToString("N"), ct);
        int port = system.MainServers[0].TcpPort;
        await using ChatClient bystander = await ChatClient.ConnectAsync(port, user, token, ct);

        // HTTP: malformed JSON → 400 problem details.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/publishMessage") { Content = new StringContent("{\"content\": ", Encoding.UTF8, "application/json") })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using HttpResponseMessage response = await api.Http.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // HTTP: no token → 401 problem details.
        using (HttpResponseMessage response = await api.Http.PostAsync("/publishMessage", new StringContent("{\"content\":\"x\"}", Encoding.UTF8, "application/json"), ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        // TCP: a garbage frame (length over the limit) → error frame, then closed.
        await using (TestFrameClient garbage = await TestFrameClient.ConnectAsync("127.0.0.1", port, ct))
        {
            await garbage.SendRawAsync([0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3], ct);
            JsonObject? error = await garbage.ReceiveAsync(ct);
            Assert.Equal("error", (string?)error?["command"]);
            Assert.True(await garbage.WaitForCloseAsync(ct));
        }

        // TCP: invalid JSON in a well-formed frame → error frame, then closed.
        await using (TestFrameClient notJson = await TestFrameClient.ConnectAsync("127.0.0.1", port, ct))
        {
            await notJson.SendRawAsync(RealTimeMessageChat.Protocol.FrameCodec.Encode("{not json"u8), ct);
            Assert.Equal("error", (string?)(await notJson.ReceiveAsync(ct))?["command"]);
            Assert.True(await notJson.WaitForCloseAsync(ct));
        }

        // TCP: a command before authenticating → error frame, then closed.
        await using (TestFrameClient unauthenticated = await TestFrameClient.ConnectAsync("127.0.0.1", port, ct))
        {
            await unauthenticated.SendAsync(new { command = "request_client_status_update", id = user, sub_id = "", message = "hi" }, ct);
            Assert.Equal("error", (string?)(await unauthenticated.ReceiveAsync(ct))?["command"]);
            Assert.True(await unauthenticated.WaitForCloseAsync(ct));
        }

        // TCP: a forged token → connection refused with condition false.
        await using (TestFrameClient forged = await TestFrameClient.ConnectAsync("127.0.0.1", port, ct))
        {
            await forged.SendAsync(new { command = "connection", id = user, token = token[..^4] + "AAAA", sub_id = "" }, ct);
            JsonObject? reply = await forged.ReceiveAsync(ct);
            Assert.Equal(false, (bool?)reply?["condition"]);
            Assert.True(await forged.WaitForCloseAsync(ct));
        }

        // Queue: a message that can never be processed, published straight to RabbitMQ → dead-letter queue with a reason.
        string reason = await PublishInvalidAndReadDeadLetterAsync(system, ct);
        Assert.False(string.IsNullOrWhiteSpace(reason));

        // And everything still works for the client that was connected throughout.
        await api.PublishAcceptedAsync(token, "still serving", ct);
        await PipelineEndToEndTests.WithTails(system, bystander.ReceiveUntilAsync(1, ct));
        Assert.Equal("still serving", bystander.Received.Single().Data);
        Assert.Equal(1, bystander.Received.Single().Seq);
    }

    private static async Task<string> PublishInvalidAndReadDeadLetterAsync(ChatSystem system, CancellationToken ct)
    {
        string queue = system.Queue;
        await using IConnection connection = await system.ConnectRabbitMqAsync(ct);
        await using IChannel channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct);
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, "{\"id\": 42, \"message\": \"not an object\"}"u8.ToArray(), ct);

        for (int attempt = 0; attempt < 100; attempt++)
        {
            BasicGetResult? dead = await channel.BasicGetAsync(queue + ".dead_letter", autoAck: true, ct);
            if (dead is not null)
            {
                Assert.Equal("{\"id\": 42, \"message\": \"not an object\"}", Encoding.UTF8.GetString(dead.Body.Span));
                object? header = dead.BasicProperties.Headers?["x-rtmc-dead-letter-reason"];
                return header is byte[] bytes ? Encoding.UTF8.GetString(bytes) : header?.ToString() ?? string.Empty;
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail("the invalid message never reached the dead-letter queue");
        return string.Empty;
    }
}
