using System.Text.Json;
using RealTimeMessageChat.MainServer.Delivery;

namespace RealTimeMessageChat.MainServer.Tests.Support;

/// <summary>An <see cref="IFrameTransport"/> that records each send's broadcast seqs and recovery frames; <see cref="Gate"/> holds sends.</summary>
internal sealed class RecordingTransport : IFrameTransport
{
    private readonly Lock _gate = new();
    private long _lastSeq;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<List<long>> Sends { get; } = [];

    /// <summary>Every <c>recovery</c> frame: its from_seq and to_seq, and the last broadcast seq sent before it.</summary>
    public List<(long From, long To, long After)> Recoveries { get; } = [];

    public ManualResetEventSlim Gate { get; } = new(initialState: true);

    public TaskCompletionSource FirstSendStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask SendAsync(IList<ArraySegment<byte>> segments)
    {
        FirstSendStarted.TrySetResult();
        Gate.Wait(TimeSpan.FromSeconds(10));
        var seqs = new List<long>();
        foreach (ArraySegment<byte> segment in segments)
        {
            using JsonDocument frame = JsonDocument.Parse(segment.AsMemory(4));
            JsonElement root = frame.RootElement;
            if (root.GetProperty("command").GetString() == "recovery")
            {
                Assert.False(root.GetProperty("recovered").GetBoolean());
                lock (_gate)
                {
                    Recoveries.Add((root.GetProperty("from_seq").GetInt64(), root.GetProperty("to_seq").GetInt64(), seqs.Count > 0 ? seqs[^1] : _lastSeq));
                }

                continue;
            }

            seqs.Add(root.GetProperty("message").GetProperty("seq").GetInt64());
        }

        lock (_gate)
        {
            Sends.Add(seqs);
            _lastSeq = seqs.Count > 0 ? seqs[^1] : _lastSeq;
            _progress.TrySetResult();
            _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return ValueTask.CompletedTask;
    }

    public void OnWriterCompleted(Exception? error)
    {
    }

    public async Task WaitForSeqAsync(long seq, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task progress;
            lock (_gate)
            {
                if (_lastSeq >= seq)
                {
                    return;
                }

                progress = _progress.Task;
            }

            await progress.WaitAsync(cancellationToken);
        }
    }
}
