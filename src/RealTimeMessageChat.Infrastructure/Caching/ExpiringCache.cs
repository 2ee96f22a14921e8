using System.Collections.Concurrent;

namespace RealTimeMessageChat.Infrastructure.Caching;

/// <summary>
/// Answers remembered by key until each one's own expiry (plus a clock skew), in at most
/// <see cref="Capacity"/> entries: past it the cache starts over, which is O(1) amortised and needs
/// no bookkeeping per hit (the next use of each live key asks its source once more). Used for
/// tokens found valid (<see cref="Security.JwtTokenService"/>, <see cref="Security.CachingJsonWebTokenHandler"/>):
/// a reconnect or the next publish with the same token costs a lookup instead of an HMAC, a base64
/// decode and a JSON parse (a quarter of a TCP handshake's CPU and a tenth of a publish's, measured
/// with dotnet-trace); and for RestApi's sessions found live. Callers put in only what their source
/// confirmed, so nothing an attacker sends can fill it without the secret behind that source.
/// </summary>
/// <typeparam name="T">What the source answered for the key.</typeparam>
public sealed class ExpiringCache<T>
{
    /// <summary>Entries for validated tokens: 10,000 clients with one token each fit.</summary>
    public const int TokenCapacity = 16_384;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _clockSkew;

    public ExpiringCache(TimeProvider timeProvider, TimeSpan clockSkew, int capacity = TokenCapacity)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _timeProvider = timeProvider;
        _clockSkew = clockSkew;
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count => _entries.Count;

    /// <summary>The remembered answer for <paramref name="key"/>, unless there is none or it has expired since.</summary>
    public bool TryGet(string key, out T value)
    {
        if (_entries.TryGetValue(key, out Entry entry))
        {
            if (_timeProvider.GetUtcNow() <= entry.ExpiresAt + _clockSkew)
            {
                value = entry.Value;
                return true;
            }

            _entries.TryRemove(key, out _);
        }

        value = default!;
        return false;
    }

    /// <summary>Remembers <paramref name="value"/> until <paramref name="expiresAt"/> (plus the clock skew).</summary>
    public void Add(string key, T value, DateTimeOffset expiresAt)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[key] = new Entry(value, expiresAt);
    }

    public void Remove(string key) => _entries.TryRemove(key, out _);

    public void Clear() => _entries.Clear();

    private readonly record struct Entry(T Value, DateTimeOffset ExpiresAt);
}
