namespace RealTimeMessageChat.MainServer.Delivery;

/// <summary>
/// A client's sender: it holds no thread, task or buffer while idle. <see cref="Schedule"/> sets a
/// flag and queues the writer on the thread pool only if it is idle, so a client woken by many
/// batches (or pings, replies) while a send is in flight runs once more, not once per wake-up.
/// Each run gathers the control frames and every due broadcast frame into one send.
/// </summary>
internal sealed class OutboundWriter : IThreadPoolWorkItem
{
    /// <summary>Replies, pings and errors a client may have queued; past it the client is not reading.</summary>
    public const int MaxControlFrames = 1024;

    private const int Idle = 0;
    private const int Running = 1;

    private readonly IFrameTransport _transport;
    private readonly Lock _controlGate = new();
    private IOutboundSource? _source;
    private List<byte[]>? _control;
    private int _state;
    private int _pending;
    private int _completing;
    private int _aborted;
    private int _finished;
    private TaskCompletionSource? _completion;

    public OutboundWriter(IFrameTransport transport, IOutboundSource? source = null)
    {
        _transport = transport;
        _source = source;
    }

    /// <summary>Completes when the writer has finished for good (drained after <see cref="Complete"/>, failed or aborted).</summary>
    public Task Completion
    {
        get
        {
            TaskCompletionSource tcs = LazyInitializer.EnsureInitialized(ref _completion, static () => new(TaskCreationOptions.RunContinuationsAsynchronously));
            if (Volatile.Read(ref _finished) == 1)
            {
                tcs.TrySetResult();
            }

            return tcs.Task;
        }
    }

    public bool IsCompleting => Volatile.Read(ref _completing) == 1;

    /// <summary>Set once, before the client can be subscribed to anything.</summary>
    public void Attach(IOutboundSource source) => _source = source;

    /// <summary>Queues a control frame ahead of broadcasts; false when the client has too many unsent or the writer is done.</summary>
    public bool TryEnqueue(byte[] frame)
    {
        lock (_controlGate)
        {
            if (Volatile.Read(ref _finished) == 1)
            {
                return false;
            }

            _control ??= [];
            if (_control.Count >= MaxControlFrames)
            {
                return false;
            }

            _control.Add(frame);
        }

        Schedule();
        return true;
    }

    public void Schedule()
    {
        if (Claim())
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>
    /// <see cref="Schedule"/>, but an idle writer runs here and now, up to its first wait. The
    /// feed calls it for every client of a batch: one thread sending to each client in turn (the C
    /// reference server's shape) instead of a work item per client. Per client and per message,
    /// queuing and waking a pool thread cost more than the send itself, and on two cores the pool's
    /// threads competed with everything else for the CPU: fan-out N=1,000 × 100 msg/s p50
    /// (measured 2026-12-02, same hour) and max fan-out figures below.
    /// </summary>
    public void RunNow()
    {
        if (Claim())
        {
            _ = RunAsync();
        }
    }

    /// <summary>No more broadcasts: send the queued control frames, then finish.</summary>
    public void Complete()
    {
        Interlocked.Exchange(ref _completing, 1);
        Schedule();
    }

    /// <summary>Finish now, dropping whatever is queued (the transport is being closed).</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref _completing, 1);
        Interlocked.Exchange(ref _aborted, 1);
        Finish();
    }

    /// <summary>Records the wake-up; true when this call claimed an idle writer and must start its run.</summary>
    private bool Claim()
    {
        // Flag first, then try to claim the writer: a run that is ending re-checks the flag after
        // it went idle, so a wake-up between its last fill and going idle is never lost.
        Interlocked.Exchange(ref _pending, 1);
        return Interlocked.CompareExchange(ref _state, Running, Idle) == Idle;
    }

    // A run that completes synchronously (the usual case on loopback) allocates nothing; one that
    // waits for a send allocates its state machine once for the run, not per frame.
    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        try
        {
            while (Volatile.Read(ref _aborted) == 0)
            {
                Interlocked.Exchange(ref _pending, 0);
                bool completing = IsCompleting;
                OutboundBatch batch = OutboundBatch.Rent();
                try
                {
                    TakeControlFrames(batch);
                    bool filled = !completing && _source is not null && !batch.IsFull;
                    if (filled)
                    {
                        await _source!.FillAsync(batch);
                    }

                    if (batch.Count == 0)
                    {
                        if (completing)
                        {
                            break;
                        }

                        // A full fence between going idle and re-reading the flag (store then load).
                        Interlocked.Exchange(ref _state, Idle);
                        if (Volatile.Read(ref _pending) == 1 && Interlocked.CompareExchange(ref _state, Running, Idle) == Idle)
                        {
                            continue;
                        }

                        return;
                    }

                    await _transport.SendAsync(batch.Segments);
                    if (filled)
                    {
                        _source!.Commit();
                    }
                }
                finally
                {
                    OutboundBatch.Return(batch);
                }
            }

            Finish();
            _transport.OnWriterCompleted(null);
        }
        catch (Exception ex)
        {
            Finish();
            _transport.OnWriterCompleted(ex);
        }
    }

    private void TakeControlFrames(OutboundBatch batch)
    {
        lock (_controlGate)
        {
            if (_control is not { Count: > 0 } control)
            {
                return;
            }

            int taken = 0;
            while (taken < control.Count && !batch.IsFull)
            {
                batch.Add(control[taken++]);
            }

            control.RemoveRange(0, taken);
            if (control.Count == 0)
            {
                // Drop the list: an idle connection should hold nothing it does not need.
                _control = null;
            }
        }
    }

    private void Finish()
    {
        lock (_controlGate)
        {
            _control = null;
        }

        // A full fence between the store and the load, as in Completion's getter (whose
        // EnsureInitialized is an interlocked exchange): with a plain volatile write the load could
        // pass the store, each side miss the other, and Completion never complete (seen once in
        // LifetimeTests: the connection outlived the server's stop).
        Interlocked.Exchange(ref _finished, 1);
        Volatile.Read(ref _completion)?.TrySetResult();
    }
}
