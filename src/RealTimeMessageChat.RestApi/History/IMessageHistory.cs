namespace RealTimeMessageChat.RestApi.History;

/// <summary>Reads a room's messages (Redis while it retains them, PostgreSQL beyond).</summary>
internal interface IMessageHistory
{
    /// <summary>
    /// Up to <paramref name="limit"/> messages of <paramref name="room"/>, ascending by seq: those after
    /// <paramref name="afterSeq"/> when given, else the newest; and below <paramref name="beforeSeq"/> when given.
    /// </summary>
    Task<IReadOnlyList<HistoryMessage>> ReadAsync(string room, long? afterSeq, long? beforeSeq, int limit, CancellationToken cancellationToken);
}
