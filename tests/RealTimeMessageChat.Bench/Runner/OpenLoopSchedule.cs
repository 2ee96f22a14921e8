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

    /// <summary>
    /// Sleeps until message <paramref name="index"/> is due, without spinning: whole milliseconds on
    /// the timer, then the rest in one <c>clock_nanosleep</c> to the due time, as the C client's
    /// timerfd does. (A <see cref="Task.Delay(TimeSpan)"/> under a millisecond returns at once: the
    /// generator used to spin through every gap between messages, half its CPU at 1,000 msg/s.)
    /// </summary>
    public async Task WaitForAsync(long index, CancellationToken cancellationToken)
    {
        long due = DueAt(index);
        long wait = due - Stopwatch.GetTimestamp();
        long coarse = wait * 1000 / Stopwatch.Frequency - 2;
        if (coarse > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(coarse), cancellationToken);
        }

        if (due > Stopwatch.GetTimestamp())
        {
            // On Linux Stopwatch ticks are CLOCK_MONOTONIC nanoseconds (see BenchContent).
            Tcp.Native.SleepUntilMonotonic(due * (1_000_000_000 / Stopwatch.Frequency));
        }
    }
}
