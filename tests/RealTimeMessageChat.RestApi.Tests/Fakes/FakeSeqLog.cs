using System.Collections.Concurrent;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.RestApi.Tests.Fakes;

/// <summary>The message log as the room endpoints read it: each room's newest seq, set by the test. Nothing else is used by the API.</summary>
internal sealed class FakeSeqLog : IMessageLog
{
    public ConcurrentDictionary<string, long> LastSeqs { get; } = new(StringComparer.Ordinal);

    public CancellationToken ConnectionRestored => CancellationToken.None;

    public Task<long> GetLastSeqAsync(string room, CancellationToken cancellationToken) => Task.FromResult(LastSeqs.GetValueOrDefault(room));

    public Task<AppendResult> AppendAsync(ChatMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<AppendResult>> AppendBatchAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<ChatMessage>> ReadAfterAsync(string room, long afterSeq, int count, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<ChatMessage>> ReadNewestAsync(string room, long beforeSeq, int count, CancellationToken cancellationToken) => throw new NotSupportedException();

    public void RaiseSequenceFloor(string room, long seq) => throw new NotSupportedException();

    public Task<long> TrimPersistedAsync(string room, long persistedSeq, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<long?> GetFirstRetainedSeqAsync(string room, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<string>> GetRoomsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task SubscribeAsync(Action<string> onAppended, CancellationToken cancellationToken) => throw new NotSupportedException();
}
