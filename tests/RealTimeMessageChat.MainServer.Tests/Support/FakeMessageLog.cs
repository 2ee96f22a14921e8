using RealTimeMessageChat.Contracts.Messaging;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServer.Tests.Support;

/// <summary>In-memory <see cref="IMessageLog"/>: an ordered list per room, seq from 1, subscribers called on append.</summary>
internal sealed class FakeMessageLog : IMessageLog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<ChatMessage>> _rooms = new(StringComparer.Ordinal);
    private readonly List<Action<string>> _subscribers = [];
    private readonly Dictionary<string, int> _reads = new(StringComparer.Ordinal);

    /// <summary>How many times <paramref name="room"/>'s stream was read (the feed's passes and catch-up).</summary>
    public int Reads(string room)
    {
        lock (_gate)
        {
            return _reads.GetValueOrDefault(room);
        }
    }

    /// <summary>Appends without waking subscribers; the server only sees it on its next poll or notification.</summary>
    public ChatMessage AppendSilently(string content, string room = "", string sender = "alice")
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(room, out List<ChatMessage>? list))
            {
                list = [];
                _rooms[room] = list;
            }

            var message = new ChatMessage
            {
                MessageId = Guid.NewGuid(),
                Seq = list.Count == 0 ? 1 : list[^1].Seq + 1,
                SenderId = sender,
                SubId = room,
                Command = ChatCommands.SendBroadcastMessage,
                Content = content,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            list.Add(message);
            return message;
        }
    }

    public ChatMessage Append(string content, string room = "", string sender = "alice")
    {
        ChatMessage message = AppendSilently(content, room, sender);
        Notify(room);
        return message;
    }

    public IReadOnlyList<ChatMessage> Messages(string room)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(room, out List<ChatMessage>? list) ? [.. list] : [];
        }
    }

    /// <summary>Removes the room's messages up to <paramref name="seq"/>, as the persister's trim does; returns them.</summary>
    public IReadOnlyList<ChatMessage> TrimUpTo(string room, long seq)
    {
        lock (_gate)
        {
            List<ChatMessage> list = _rooms[room];
            List<ChatMessage> removed = [.. list.Where(m => m.Seq <= seq)];
            list.RemoveAll(m => m.Seq <= seq);
            return removed;
        }
    }

    public void Notify(string room)
    {
        Action<string>[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }

        foreach (Action<string> subscriber in subscribers)
        {
            subscriber(room);
        }
    }

    public Task<AppendResult> AppendAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        ChatMessage stored = Append(message.Content, message.SubId, message.SenderId);
        return Task.FromResult(new AppendResult(stored.Seq, false));
    }

    public async Task<IReadOnlyList<AppendResult>> AppendBatchAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var results = new List<AppendResult>();
        foreach (ChatMessage message in messages)
        {
            results.Add(await AppendAsync(message, cancellationToken));
        }

        return results;
    }

    public Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _reads[room] = _reads.GetValueOrDefault(room) + 1;
            IReadOnlyList<ChatMessage> result = _rooms.TryGetValue(room, out List<ChatMessage>? list)
                ? [.. list.Where(m => m.Seq > afterSeq).Take(count)]
                : [];
            return Task.FromResult(result);
        }
    }

    public Task<IReadOnlyList<ChatMessage>> ReadNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ChatMessage> result = _rooms.TryGetValue(room, out List<ChatMessage>? list)
                ? [.. list.Where(m => m.Seq < beforeSeq).TakeLast(count)]
                : [];
            return Task.FromResult(result);
        }
    }

    public void RaiseSequenceFloor(string room, long seq)
    {
        // The MainServer only reads the log.
    }

    public Task<long> GetLastSeqAsync(string room, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rooms.TryGetValue(room, out List<ChatMessage>? list) && list.Count > 0 ? list[^1].Seq : 0L);
        }
    }

    public Task<long?> GetFirstRetainedSeqAsync(string room, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rooms.TryGetValue(room, out List<ChatMessage>? list) && list.Count > 0 ? list[0].Seq : (long?)null);
        }
    }

    public Task<IReadOnlyList<string>> GetRoomsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _rooms.Keys]);
        }
    }

    public Task<long> TrimPersistedAsync(string room, long persistedSeq, CancellationToken cancellationToken) => Task.FromResult(0L);

    public CancellationToken ConnectionRestored => CancellationToken.None;

    public Task SubscribeAsync(Action<string> onAppended, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _subscribers.Add(onAppended);
        }

        return Task.CompletedTask;
    }
}
