namespace RealTimeMessageChat.RestApi.History;

/// <summary>One stored message as <c>GET /api/v1/messages</c> answers it; <see cref="Id"/> is the sender.</summary>
internal sealed record HistoryMessage(Guid MessageId, long Seq, string Id, string SubId, string Command, string Content, DateTimeOffset CreatedAt);
