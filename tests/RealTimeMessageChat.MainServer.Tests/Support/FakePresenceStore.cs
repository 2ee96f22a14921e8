using System.Collections.Concurrent;
using RealTimeMessageChat.Infrastructure.Storage;

namespace RealTimeMessageChat.MainServer.Tests.Support;

/// <summary>Records presence calls; can be told to fail, to show that presence never breaks a connection.</summary>
internal sealed class FakePresenceStore : IPresenceStore
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public bool Fail { get; set; }

    public TaskCompletionSource<string> StatusRecorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<string> WentOffline { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task SetOnlineAsync(string userId, string serverId, string sessionId, CancellationToken cancellationToken) =>
        Record($"online:{userId}:{sessionId}");

    public Task SetOfflineAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        WentOffline.TrySetResult($"{userId}:{sessionId}");
        return Record($"offline:{userId}:{sessionId}");
    }

    public Task SetStatusAsync(string userId, string status, CancellationToken cancellationToken)
    {
        StatusRecorded.TrySetResult($"{userId}:{status}");
        return Record($"status:{userId}:{status}");
    }

    private Task Record(string call)
    {
        Calls.Enqueue(call);
        return Fail ? Task.FromException(new InvalidOperationException("presence store down")) : Task.CompletedTask;
    }
}
