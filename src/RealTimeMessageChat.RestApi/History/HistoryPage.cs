namespace RealTimeMessageChat.RestApi.History;

/// <summary>The 200 answer of <c>GET /api/v1/messages</c>.</summary>
internal sealed record HistoryPage(IReadOnlyList<HistoryMessage> Messages);
