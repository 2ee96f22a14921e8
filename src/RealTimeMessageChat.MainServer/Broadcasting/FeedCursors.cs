using System.Collections.Concurrent;

namespace RealTimeMessageChat.MainServer.Broadcasting;

/// <summary>
/// How far the feed has read each room. Written only by <see cref="MessageFeedService"/>, and always
/// BEFORE the message is offered to the connections: a connection that finishes a catch-up and sees
/// a cursor at or below its own position can go live without missing the message being broadcast.
/// </summary>
internal sealed class FeedCursors
{
    private readonly ConcurrentDictionary<string, long> _cursors = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the start positions have been read from Redis.</summary>
    public Task Ready => _ready.Task;

    public bool IsReady => _ready.Task.IsCompleted;

    /// <summary>The last seq of <paramref name="room"/> the feed has offered to connections; 0 for a room it does not follow.</summary>
    public long Get(string room) => _cursors.TryGetValue(room, out long seq) ? seq : 0;

    public bool Contains(string room) => _cursors.ContainsKey(room);

    public string[] Rooms => [.. _cursors.Keys];

    public void Set(string room, long seq) => _cursors[room] = seq;

    public bool TryAdd(string room, long seq) => _cursors.TryAdd(room, seq);

    public void MarkReady() => _ready.TrySetResult();
}
