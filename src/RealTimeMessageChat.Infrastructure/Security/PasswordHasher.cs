using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes stored as <c>pbkdf2-sha256$iterations$salt$hash</c> (salt and hash
/// Base64). Each stored hash names its own iteration count, so raising the count for new hashes
/// (<c>password_hash_iterations</c>) leaves old ones verifying; <see cref="NeedsRehash"/> tells the
/// caller to store a fresh hash once the password is known. Argon2 and BCrypt packages are not
/// served here; PBKDF2 is built in.
/// </summary>
public sealed class PasswordHasher
{
    /// <summary>The algorithm tag at the front of every stored hash.</summary>
    public const string Algorithm = "pbkdf2-sha256";

    /// <summary>Iterations for new hashes unless configured. 100,000 costs 20 ms per login on a quiet core of our machines (median 35 ms under load).</summary>
    public const int DefaultIterations = 100_000;

    /// <summary>The fewest iterations configuration may ask for.</summary>
    public const int MinIterations = 10_000;

    /// <summary>
    /// The most iterations configuration may ask for, and the most a stored hash may name: a hash
    /// claiming more is refused rather than spending minutes on it.
    /// </summary>
    public const int MaxIterations = 10_000_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly Pbkdf2 _derive;
    private readonly string _dummyHash;

    public PasswordHasher()
        : this(DefaultIterations)
    {
    }

    /// <param name="iterations">PBKDF2 iterations of new hashes (the tests use fewer than <see cref="MinIterations"/>).</param>
    public PasswordHasher(int iterations)
        : this(iterations, DerivePbkdf2)
    {
    }

    /// <summary>With the derivation replaced, so tests can see how much PBKDF2 work each path does.</summary>
    internal PasswordHasher(int iterations, Pbkdf2 derive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        ArgumentNullException.ThrowIfNull(derive);
        Iterations = iterations;
        _derive = derive;

        // What an unknown user's password is checked against: a well-formed hash of the configured
        // count, salt and "hash" random, so verifying against it costs exactly one real verification
        // and never matches. Built without hashing, so the first unknown login pays no extra.
        _dummyHash = Format(iterations, RandomNumberGenerator.GetBytes(SaltBytes), RandomNumberGenerator.GetBytes(HashBytes));
    }

    /// <summary>PBKDF2 iterations of the hashes <see cref="Hash"/> makes.</summary>
    public int Iterations { get; }

    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return Format(Iterations, salt, _derive(Encoding.UTF8.GetBytes(password), salt, Iterations, HashBytes));
    }

    /// <summary>
    /// True when <paramref name="password"/> matches <paramref name="storedHash"/>. With a null
    /// <paramref name="storedHash"/> (no such user) it verifies against a dummy hash of the configured
    /// iteration count and returns false, so the work done, and the time taken, do not tell which
    /// user ids exist.
    /// </summary>
    public bool Verify(string password, string? storedHash)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (storedHash is null)
        {
            _ = VerifyCore(password, _dummyHash);
            return false;
        }

        return VerifyCore(password, storedHash);
    }

    /// <summary>True when <paramref name="storedHash"/> is not a hash of the configured iteration count (or not ours at all).</summary>
    public bool NeedsRehash(string storedHash)
    {
        ArgumentNullException.ThrowIfNull(storedHash);
        return !TryParse(storedHash, out int iterations, out _, out _) || iterations != Iterations;
    }

    private bool VerifyCore(string password, string storedHash)
    {
        if (!TryParse(storedHash, out int iterations, out byte[]? salt, out byte[]? expected))
        {
            return false;
        }

        byte[] actual = _derive(Encoding.UTF8.GetBytes(password), salt, iterations, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool TryParse(string storedHash, out int iterations, [NotNullWhen(true)] out byte[]? salt, [NotNullWhen(true)] out byte[]? hash)
    {
        salt = hash = null;
        string[] parts = storedHash.Split('$');
        if (parts.Length != 4
            || parts[0] != Algorithm
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations is < 1 or > MaxIterations)
        {
            iterations = 0;
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            salt = hash = null;
            return false;
        }

        return hash.Length > 0;
    }

    private static string Format(int iterations, byte[] salt, byte[] hash) =>
        string.Join('$', Algorithm, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));

    private static byte[] DerivePbkdf2(byte[] password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, length);
}

/// <summary>PBKDF2-HMAC-SHA256 of a password: the one expensive step of <see cref="PasswordHasher"/>.</summary>
internal delegate byte[] Pbkdf2(byte[] password, byte[] salt, int iterations, int length);
