using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using RealTimeMessageChat.Bench.Measure;

namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>
/// The N clients of a scenario, in this one process. Clients are kept between scenarios of the same
/// size (connecting 10,000 costs seconds); each scenario opens a window with <see cref="BeginWindow"/>
/// while nothing is in flight, and reads what its clients saw with <see cref="Collect"/>.
/// </summary>
internal sealed class ClientPool : IDisposable
{
    /// <summary>Threads doing blocking connects while the engine reads the handshake replies.</summary>
    private const int ConnectorThreads = 4;

    private readonly IPEndPoint _endPoint;
    private readonly EpollEngine? _engine;
    private readonly List<BenchClient> _clients = [];
    private readonly ConcurrentQueue<string> _errors = new();
    private LatencyRecorder _recorder = new();
    private LatencyRecorder _stalledRecorder = new();
    private int _closedByServer;
    private int _nextIndex;

    /// <param name="endPoint">The MainServer.</param>
    /// <param name="withEngine">False for a pool whose clients are only fed bytes (tests).</param>
    public ClientPool(IPEndPoint endPoint, bool withEngine = true)
    {
        _endPoint = endPoint;
        _engine = withEngine ? new EpollEngine() : null;
    }

    public IReadOnlyList<BenchClient> Clients => _clients;

    public int Count => _clients.Count;

    /// <summary>Clients the server closed since the pool was made.</summary>
    public int ClosedByServer => Volatile.Read(ref _closedByServer);

    /// <summary>The first few error frames and connect failures, for the report.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    public LatencyRecorder Recorder => Volatile.Read(ref _recorder);

    public LatencyRecorder StalledRecorder => Volatile.Read(ref _stalledRecorder);

    public LatencyRecorder RecorderFor(BenchClient client) => client.InStallGroup ? StalledRecorder : Recorder;

    /// <summary>
    /// Opens (or closes) clients until <paramref name="count"/> are open, with at most
    /// <paramref name="concurrency"/> connects in flight; clients are spread over the users round robin.
    /// Returns the time from the first connect to the last handshake reply, and the failures.
    /// </summary>
    public async Task<ConnectOutcome> EnsureAsync(
        int count, IReadOnlyList<BenchUser> users, int concurrency, Action<int>? progress, CancellationToken cancellationToken, bool raw = false,
        int toolkitEvery = 0, long toolkitStartSeq = 0)
    {
        RemoveClosed();
        while (_clients.Count > count)
        {
            BenchClient last = _clients[^1];
            _clients.RemoveAt(_clients.Count - 1);
            last.Dispose();
        }

        int toOpen = count - _clients.Count;
        if (toOpen <= 0)
        {
            return new ConnectOutcome(0, TimeSpan.Zero, 0, null);
        }

        // A few connector threads do blocking connects (cheap on loopback) and send the
        // connection frame; the engine reads the replies. At most `concurrency` handshakes wait at
        // once, so the server's accept backlog never overflows into SYN retries.
        var opened = new BenchClient?[toOpen];
        int next = -1, done = 0, failed = 0;
        string? firstFailure = null;
        using var slots = new SemaphoreSlim(concurrency);
        var ready = new Task[toOpen];
        long start = Stopwatch.GetTimestamp();
        void Fail(string message)
        {
            Interlocked.Increment(ref failed);
            Interlocked.CompareExchange(ref firstFailure, message, null);
        }

        void Connector()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < toOpen && !cancellationToken.IsCancellationRequested)
            {
                slots.Wait(cancellationToken);
                int index = Interlocked.Increment(ref _nextIndex);
                // Every toolkitEvery-th client speaks the C++ toolkit's framing (issue 10's mix).
                bool toolkit = toolkitEvery > 0 && index % toolkitEvery == 0;
                var client = new BenchClient(this, index, _engine, raw, toolkit ? toolkitStartSeq : null);
                try
                {
                    client.Connect(_endPoint, raw ? null : users[index % users.Count]);
                    opened[i] = client;
                    ready[i] = client.Ready.ContinueWith(
                        t =>
                        {
                            slots.Release();
                            if (t.IsFaulted)
                            {
                                Fail(t.Exception!.InnerException!.Message);
                            }

                            progress?.Invoke(Interlocked.Increment(ref done));
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }
                catch (IOException ex)
                {
                    slots.Release();
                    client.Dispose();
                    Fail(ex.Message);
                    ready[i] = Task.CompletedTask;
                    progress?.Invoke(Interlocked.Increment(ref done));
                }
            }
        }

        Task[] connectors = [.. Enumerable.Range(0, Math.Min(ConnectorThreads, toOpen))
            .Select(_ => Task.Factory.StartNew(Connector, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        await Task.WhenAll(connectors);
        Task all = Task.WhenAll(ready.Where(t => t is not null));
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60), cancellationToken)) != all)
        {
            Fail("handshake replies missing after 60 s");
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        for (int i = 0; i < opened.Length; i++)
        {
            BenchClient? client = opened[i];
            if (client is null)
            {
                continue;
            }

            if (client.Ready.IsCompletedSuccessfully)
            {
                _clients.Add(client);
            }
            else
            {
                client.Dispose();
            }
        }

        if (firstFailure is not null)
        {
            NoteError("connect: " + firstFailure);
        }

        return new ConnectOutcome(toOpen - failed, elapsed, failed, firstFailure);
    }

    /// <summary>
    /// Starts a measurement window: fresh recorders and counters, each client's position kept.
    /// Call only while nothing is in flight, so no delivery straddles two windows.
    /// </summary>
    public void BeginWindow()
    {
        RemoveClosed();
        Interlocked.Exchange(ref _recorder, new LatencyRecorder()).Dispose();
        Interlocked.Exchange(ref _stalledRecorder, new LatencyRecorder()).Dispose();
        foreach (BenchClient client in _clients)
        {
            client.Checker.ResetCounters();
            client.InStallGroup = false;
        }
    }

    /// <summary>Swaps in a new recorder for the clients outside the stall group and returns the old one.</summary>
    public LatencyRecorder SwapRecorder() => Interlocked.Exchange(ref _recorder, new LatencyRecorder());

    /// <summary>The lowest seq received by an open client that is not stalled; <paramref name="head"/> when there is none.</summary>
    public long MinLastSeq(long head)
    {
        long min = head;
        foreach (BenchClient client in _clients)
        {
            if (client.IsOpen && !client.IsStalled)
            {
                long seq = client.LastSeq;
                if (seq < min)
                {
                    min = seq;
                }
            }
        }

        return min;
    }

    public long TotalDelivered()
    {
        long total = 0;
        foreach (BenchClient client in _clients)
        {
            total += client.Delivered;
        }

        return total;
    }

    public long TotalReads()
    {
        long total = 0;
        foreach (BenchClient client in _clients)
        {
            total += client.Reads;
        }

        return total;
    }

    /// <summary>
    /// Waits until every open client has received <paramref name="head"/>. Gives up (false) when
    /// deliveries made no progress for <paramref name="timeout"/>: a slow server still draining a
    /// backlog is waited for, a stuck one is not (at most ten timeouts in all).
    /// </summary>
    public async Task<bool> WaitForAsync(long head, TimeSpan timeout, Func<BenchClient, bool>? include = null)
    {
        long idleTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        long hardDeadline = Stopwatch.GetTimestamp() + 10 * idleTicks;
        long lastProgress = Stopwatch.GetTimestamp(), lastDelivered = TotalDelivered();
        while (true)
        {
            bool all = true;
            foreach (BenchClient client in _clients)
            {
                if (client.IsOpen && (include is null || include(client)) && client.LastSeq < head)
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                return true;
            }

            long now = Stopwatch.GetTimestamp(), delivered = TotalDelivered();
            if (delivered != lastDelivered)
            {
                lastDelivered = delivered;
                lastProgress = now;
            }

            if (now - lastProgress > idleTicks || now > hardDeadline)
            {
                return false;
            }

            await Task.Delay(5);
        }
    }

    /// <summary>What the clients saw since <see cref="BeginWindow"/>, measured against <paramref name="head"/>.</summary>
    public WindowStats Collect(long head, Func<BenchClient, bool>? include = null)
    {
        var stats = new WindowStats();
        foreach (BenchClient client in _clients)
        {
            if (include is not null && !include(client))
            {
                continue;
            }

            SeqChecker checker = client.Checker;
            stats.Clients++;
            stats.InOrder += checker.InOrder;
            stats.Duplicates += checker.Duplicates;
            stats.Reordered += checker.Reordered;
            stats.Gaps += checker.Gaps;
            stats.ErrorFrames += client.ErrorFrames;
            stats.MalformedFrames += client.MalformedFrames;
            if (client.IsOpen)
            {
                stats.Missing += checker.MissingThrough(head);
            }
            else
            {
                stats.Disconnected++;
                stats.MissingAfterDisconnect += checker.MissingThrough(head);
                stats.DisconnectReasons.Add(client.CloseReason ?? "?");
            }
        }

        return stats;
    }

    internal void OnClosedByServer(BenchClient client) => Interlocked.Increment(ref _closedByServer);

    internal void OnErrorFrame(string frame) => NoteError("error frame: " + frame);

    public void Dispose()
    {
        foreach (BenchClient client in _clients)
        {
            client.Dispose();
        }

        _clients.Clear();
        _engine?.Dispose();
        _recorder.Dispose();
        _stalledRecorder.Dispose();
    }

    private void NoteError(string error)
    {
        if (_errors.Count < 20)
        {
            _errors.Enqueue(error.Length > 300 ? error[..300] : error);
        }
    }

    /// <summary>Drops clients that the server closed, so the next window counts only live ones.</summary>
    private void RemoveClosed()
    {
        for (int i = _clients.Count - 1; i >= 0; i--)
        {
            if (!_clients[i].IsOpen)
            {
                _clients[i].Dispose();
                _clients.RemoveAt(i);
            }
        }
    }
}
