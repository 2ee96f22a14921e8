namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>
/// Checks that one client sees every seq once and in order: each broadcast must be the previous
/// one + 1. Counts what goes wrong instead of stopping: a jump forward is a gap (the seqs skipped
/// are missing), a seq below the next expected one is late (it arrives after a gap that skipped
/// it: reordered) or a duplicate (it was seen already). Not thread-safe: one reader per client.
/// </summary>
internal sealed class SeqChecker
{
    // Missing ranges [from, to], only while something is missing: normally empty and never allocated.
    private List<(long From, long To)>? _missing;

    /// <summary>The next seq expected.</summary>
    public long Next { get; private set; } = 1;

    /// <summary>The highest seq seen; <c>Next - 1</c>.</summary>
    public long Last => Next - 1;

    public long InOrder { get; private set; }

    public long Duplicates { get; private set; }

    public long Reordered { get; private set; }

    /// <summary>Seqs skipped by a jump forward that have not arrived (yet).</summary>
    public long Missing { get; private set; }

    /// <summary>How many jumps forward were seen.</summary>
    public long Gaps { get; private set; }

    public bool IsClean => Duplicates == 0 && Reordered == 0 && Missing == 0 && Gaps == 0;

    /// <summary>Starts over: the next broadcast expected is <paramref name="lastSeq"/> + 1.</summary>
    public void Reset(long lastSeq)
    {
        Next = lastSeq + 1;
        InOrder = Duplicates = Reordered = Missing = Gaps = 0;
        _missing = null;
    }

    /// <summary>Keeps the position, clears the counters (a new measurement window).</summary>
    public void ResetCounters() => Reset(Last);

    public void Observe(long seq)
    {
        if (seq == Next)
        {
            Next++;
            InOrder++;
            return;
        }

        if (seq > Next)
        {
            _missing ??= [];
            _missing.Add((Next, seq - 1));
            Missing += seq - Next;
            Gaps++;
            Next = seq + 1;
            return;
        }

        if (_missing is not null && TryFill(seq))
        {
            Reordered++;
            Missing--;
            return;
        }

        Duplicates++;
    }

    /// <summary>The seqs expected up to <paramref name="head"/> that never came.</summary>
    public long MissingThrough(long head) => Missing + Math.Max(0, head - Last);

    private bool TryFill(long seq)
    {
        List<(long From, long To)> missing = _missing!;
        for (int i = 0; i < missing.Count; i++)
        {
            var (from, to) = missing[i];
            if (seq < from || seq > to)
            {
                continue;
            }

            missing.RemoveAt(i);
            if (from < seq)
            {
                missing.Insert(i, (from, seq - 1));
            }

            if (seq < to)
            {
                missing.Insert(from < seq ? i + 1 : i, (seq + 1, to));
            }

            return true;
        }

        return false;
    }
}
