namespace RealTimeMessageChat.MainServer.Rooms;

/// <summary>
/// At most one typing indicator per user and room per <c>typing_min_interval_ms</c> on this
/// server (a user on two servers could send one on each). Entries older than the interval are
/// swept when the table has doubled since the last sweep, so it holds about the users typing now.
/// </summary>
internal sealed class TypingLimiter(int intervalMilliseconds)
{
    private readonly Dictionary<(string User, string Room), long> _last = [];
    private readonly Lock _gate = new();
    private int _sweepAt = 1024;

    /// <summary>True when an indicator of <paramref name="user"/> in <paramref name="room"/> may go out at <paramref name="now"/> (ms); then counts it.</summary>
    public bool TryAcquire(string user, string room, long now)
    {
        if (intervalMilliseconds == 0)
        {
            return true;
        }

        lock (_gate)
        {
            if (_last.TryGetValue((user, room), out long last) && now - last < intervalMilliseconds)
            {
                return false;
            }

            _last[(user, room)] = now;
            if (_last.Count >= _sweepAt)
            {
                foreach (var (key, at) in _last)
                {
                    if (now - at >= intervalMilliseconds)
                    {
                        _last.Remove(key);
                    }
                }

                _sweepAt = Math.Max(1024, _last.Count * 2);
            }

            return true;
        }
    }

    /// <summary>Entries held now (tests).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _last.Count;
            }
        }
    }
}
