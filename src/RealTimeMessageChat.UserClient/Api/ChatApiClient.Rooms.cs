using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RealTimeMessageChat.UserClient.Api;

/// <summary>The room calls of issue 8 (<c>/rooms</c>, <c>/who</c>, <c>/dm</c>): one attempt each, a refused token renewed once.</summary>
internal sealed partial class ChatApiClient
{
    /// <summary>GET /api/v1/rooms: the public rooms and mine, with unread counts.</summary>
    public Task<JsonNode?> ListRoomsAsync(CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Get, "api/v1/rooms", null, "rooms", cancellationToken);

    /// <summary>GET /api/v1/rooms/{room}/members.</summary>
    public Task<JsonNode?> ListMembersAsync(string room, CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Get, $"api/v1/rooms/{Uri.EscapeDataString(room)}/members", null, "members", cancellationToken);

    /// <summary>POST /api/v1/messages/direct <c>{"to","content","message_id"}</c>: the API creates the two-member room on first use.</summary>
    public Task<JsonNode?> SendDirectAsync(string to, string content, Guid messageId, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["to"] = to, ["content"] = content, ["message_id"] = messageId.ToString() };
        return CallAsync(HttpMethod.Post, "api/v1/messages/direct", JsonSerializer.SerializeToUtf8Bytes(body), "direct message", cancellationToken);
    }

    private async Task<JsonNode?> CallAsync(HttpMethod method, string path, byte[]? json, string operation, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            string token = await EnsureTokenAsync(cancellationToken);
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (json is not null)
            {
                request.Content = new ByteArrayContent(json);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            }

            HttpResponseMessage response;
            try
            {
                response = await httpClient.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new ChatApiException($"{operation}: RestApi unreachable ({ex.Message})", null, isTransient: true, ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ChatApiException($"{operation}: RestApi did not answer in time", null, isTransient: true, ex);
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1)
                {
                    await LoginAsync(token, cancellationToken);
                    continue;
                }

                await EnsureSuccessAsync(response, operation, cancellationToken);
                string text = await response.Content.ReadAsStringAsync(cancellationToken);
                try
                {
                    return text.Length == 0 ? null : JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    return null;
                }
            }
        }
    }
}
