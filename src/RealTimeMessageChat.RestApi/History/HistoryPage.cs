namespace RealTimeMessageChat.RestApi.History;

/// <summary>
/// The 200 answer of <c>GET /api/v1/messages</c>. The cursors are left out when there is no such
/// page: <see cref="NextAfterSeq"/> (the last seq here) when the page has messages, to read on
/// forward; <see cref="NextBeforeSeq"/> (the first seq here) when older messages may exist.
/// </summary>
internal sealed record HistoryPage(IReadOnlyList<HistoryMessage> Messages, long? NextAfterSeq, long? NextBeforeSeq)
{
    public static HistoryPage Of(IReadOnlyList<HistoryMessage> messages) => new(
        messages,
        messages.Count > 0 ? messages[^1].Seq : null,
        messages.Count > 0 && messages[0].Seq > 1 ? messages[0].Seq : null);
}
