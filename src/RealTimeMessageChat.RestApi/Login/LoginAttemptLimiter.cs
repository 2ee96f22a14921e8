using Microsoft.Extensions.Options;
using RealTimeMessageChat.RestApi.Options;

namespace RealTimeMessageChat.RestApi.Login;

/// <summary>
/// <see cref="ILoginAttemptLimiter"/> in memory: one window table per account and per address, each
/// bounded to <see cref="MaxTrackedKeys"/> keys. One lock covers both, so an attempt is taken from both
/// or from neither; logins are rare beside the PBKDF2 work each costs, so the lock is never contended
/// for long. Per process: behind several RestApi instances each counts its own attempts.
/// </summary>
internal sealed class LoginAttemptLimiter : ILoginAttemptLimiter
{
    /// <summary>
    /// Keys each table holds at most: about 200 bytes each (a user id is at most 64 characters), so
    /// the limiter stays under ~40 MB however many user ids or addresses it sees.
    /// </summary>
    public const int MaxTrackedKeys = 100_000;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly AttemptWindows _accounts;
    private readonly AttemptWindows _addresses;
    private readonly TimeProvider _timeProvider;

    public LoginAttemptLimiter(IOptions<RestApiOptions> options, TimeProvider timeProvider)
        : this(options.Value.LoginAttemptsPerAccountPerMinute, options.Value.LoginAttemptsPerAddressPerMinute, timeProvider, MaxTrackedKeys)
    {
    }

    internal LoginAttemptLimiter(int perAccount, int perAddress, TimeProvider timeProvider, int maxTrackedKeys)
    {
        _accounts = new AttemptWindows(perAccount, Window, maxTrackedKeys);
        _addresses = new AttemptWindows(perAddress, Window, maxTrackedKeys);
        _timeProvider = timeProvider;
    }

    /// <summary>Keys held now, accounts plus addresses (for the tests of the bound).</summary>
    internal int TrackedKeys
    {
        get
        {
            lock (_lock)
            {
                return _accounts.Count + _addresses.Count;
            }
        }
    }

    public LoginAdmission TryAcquire(string? account, string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            TimeSpan? accountWait = account is null ? null : _accounts.WaitBeforeNext(account, now);
            TimeSpan? addressWait = _addresses.WaitBeforeNext(address, now);
            if (accountWait is not null || addressWait is not null)
            {
                TimeSpan wait = Max(accountWait ?? TimeSpan.Zero, addressWait ?? TimeSpan.Zero);
                return new LoginAdmission(false, WholeSeconds(wait), accountWait is not null ? "account" : "address");
            }

            if (account is not null)
            {
                _accounts.Take(account, now);
            }

            _addresses.Take(address, now);
            return LoginAdmission.Allowed;
        }
    }

    public void Succeeded(string? account, string address)
    {
        lock (_lock)
        {
            if (account is not null)
            {
                _accounts.Reset(account);
            }

            _addresses.Return(address);
        }
    }

    public void Abandoned(string? account, string address)
    {
        lock (_lock)
        {
            if (account is not null)
            {
                _accounts.Return(account);
            }

            _addresses.Return(address);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // Retry-After carries whole seconds; rounding down would invite a retry just before the window closes.
    private static TimeSpan WholeSeconds(TimeSpan wait) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait.TotalSeconds)));
}
