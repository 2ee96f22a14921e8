using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RealTimeMessageChat.Infrastructure.Security;

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes stored as <c>pbkdf2-sha256$iterations$salt$hash</c> (salt and hash
/// Base64), so the iteration count can be raised later without breaking stored hashes. Argon2 and
/// BCrypt packages are not served here; PBKDF2 is built in.
/// </summary>
public sealed class PasswordHasher
{
    /// <summary>The algorithm tag at the front of every stored hash.</summary>
    public const string Algorithm = "pbkdf2-sha256";

    /// <summary>Iterations for new hashes. 100,000 costs tens of milliseconds per login on our machines.</summary>
    public const int DefaultIterations = 100_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly int _iterations;
    private readonly Lazy<string> _dummyHash;

    public PasswordHasher()
        : this(DefaultIterations)
    {
    }

    public PasswordHasher(int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        _iterations = iterations;
        _dummyHash = new Lazy<string>(() => Hash("not-a-real-password"), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, _iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Algorithm, _iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>
    /// True when <paramref name="password"/> matches <paramref name="storedHash"/>. With a null
    /// <paramref name="storedHash"/> (no such user) it still spends the time of one verification and
    /// returns false, so response times do not reveal which user ids exist.
    /// </summary>
    public bool Verify(string password, string? storedHash)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (storedHash is null)
        {
            _ = VerifyCore(password, _dummyHash.Value);
            return false;
        }

        return VerifyCore(password, storedHash);
    }

    private static bool VerifyCore(string password, string storedHash)
    {
        string[] parts = storedHash.Split('$');
        if (parts.Length != 4
            || parts[0] != Algorithm
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int iterations)
            || iterations < 1)
        {
            return false;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        byte[] actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
