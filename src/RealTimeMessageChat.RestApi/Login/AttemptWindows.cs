using System.Diagnostics;

namespace RealTimeMessageChat.RestApi.Login;

/// <summary>
/// Attempts per key in fixed windows that open at a key's first counted attempt. Holds at most
/// <c>capacity</c> keys, so an attacker cycling user ids or addresses cannot grow it without bound:
/// a new key finding it full first drops every key whose window has passed, then, if none has, the
/// key whose window opened first. Not thread-safe: <see cref="LoginAttemptLimiter"/> locks around it.
/// </summary>
internal sealed class AttemptWindows(int limit, TimeSpan window, int capacity)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>Null when an attempt is left in the key's window, else the time until its window closes.</summary>
    public TimeSpan? WaitBeforeNext(string key, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out Entry entry) || entry.Closes <= now || entry.Attempts < limit)
        {
            return null;
        }

        return entry.Closes - now;
    }

    /// <summary>Counts one attempt; call only after <see cref="WaitBeforeNext"/> said there is room.</summary>
    public void Take(string key, DateTimeOffset now)
    {
        if (_entries.TryGetValue(key, out Entry entry) && entry.Closes > now)
        {
            Debug.Assert(entry.Attempts < limit, "Take without room");
            _entries[key] = entry with { Attempts = entry.Attempts + 1 };
            return;
        }

        if (!_entries.ContainsKey(key) && _entries.Count >= capacity)
        {
            MakeRoom(now);
        }

        _entries[key] = new Entry(now + window, 1);
    }

    /// <summary>Gives one attempt back, as if it had not been made.</summary>
    public void Return(string key)
    {
        if (_entries.TryGetValue(key, out Entry entry))
        {
            if (entry.Attempts <= 1)
            {
                _entries.Remove(key);
            }
            else
            {
                _entries[key] = entry with { Attempts = entry.Attempts - 1 };
            }
        }
    }

    public void Reset(string key) => _entries.Remove(key);

    private void MakeRoom(DateTimeOffset now)
    {
        int before = _entries.Count;
        foreach (KeyValuePair<string, Entry> pair in _entries)
        {
            if (pair.Value.Closes <= now)
            {
                _entries.Remove(pair.Key);
            }
        }

        if (_entries.Count < before)
        {
            return;
        }

        // Every window is still open: forget the oldest. Filling the table at all takes `capacity`
        // admitted attempts a minute, which the per-address limit and PBKDF2's cost both stand against.
        string oldest = _entries.MinBy(pair => pair.Value.Closes).Key;
        _entries.Remove(oldest);
    }

    private readonly record struct Entry(DateTimeOffset Closes, int Attempts);
}
