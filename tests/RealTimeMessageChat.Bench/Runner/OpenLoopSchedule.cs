using System.Diagnostics;

namespace RealTimeMessageChat.Bench.Runner;

/// <summary>
/// Send times fixed in advance: message i is due at <c>start + i / rate</c>, whatever happened to
/// the ones before it. Senders stamp each message with its due time, so a sender (or a system)
/// that falls behind is measured as latency rather than hidden by waiting (no coordinated omission).
/// </summary>
internal sealed class OpenLoopSchedule(double ratePerSecond, long startTimestamp)
{
    public long Start => startTimestamp;

    public long DueAt(long index) => startTimestamp + (long)(index * (Stopwatch.Frequency / ratePerSecond));

    /// <summary>How many messages are due at <paramref name="now"/> (index &lt; result).</summary>
    public long DueCount(long now) => now < startTimestamp ? 0 : (long)((now - startTimestamp) * ratePerSecond / Stopwatch.Frequency) + 1;

    /// <summary>Sleeps until message <paramref name="index"/> is due (timer resolution: about a millisecond).</summary>
    public async Task WaitForAsync(long index, CancellationToken cancellationToken)
    {
        long wait = DueAt(index) - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
        }
    }
}
