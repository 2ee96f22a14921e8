using System.Security.Cryptography;
using RealTimeMessageChat.Infrastructure.Security;

namespace RealTimeMessageChat.Infrastructure.Tests;

public sealed class PasswordHasherTests
{
    private const int Iterations = 2_000;

    private readonly List<int> _derivations = [];

    [Fact]
    public void Hash_ThenVerify_MatchesOnlyThePassword()
    {
        var hasher = new PasswordHasher(Iterations);

        string hash = hasher.Hash("correct horse");

        Assert.True(hasher.Verify("correct horse", hash));
        Assert.False(hasher.Verify("correct horsf", hash));
        Assert.StartsWith($"pbkdf2-sha256${Iterations}$", hash, StringComparison.Ordinal);
        Assert.NotEqual(hash, hasher.Hash("correct horse"));
    }

    [Fact]
    public void Verify_UnknownUser_DoesTheSamePbkdf2WorkAsAWrongPassword()
    {
        PasswordHasher hasher = Counting(Iterations);
        string stored = hasher.Hash("correct horse");
        _derivations.Clear();

        bool wrongPassword = hasher.Verify("wrong horse", stored);
        List<int> forWrongPassword = [.. _derivations];
        _derivations.Clear();
        bool unknownUser = hasher.Verify("wrong horse", storedHash: null);

        Assert.False(wrongPassword);
        Assert.False(unknownUser);
        Assert.Equal([Iterations], forWrongPassword);
        Assert.Equal(forWrongPassword, _derivations);
    }

    [Fact]
    public void Verify_UnknownUserFirstTime_DoesNoExtraHashing()
    {
        PasswordHasher hasher = Counting(Iterations);

        hasher.Verify("anything", storedHash: null);

        Assert.Equal([Iterations], _derivations);
    }

    [Fact]
    public void Verify_HashOfAnotherIterationCount_StillVerifiesAndNeedsRehash()
    {
        string old = new PasswordHasher(1_000).Hash("correct horse");
        var hasher = new PasswordHasher(Iterations);

        Assert.True(hasher.Verify("correct horse", old));
        Assert.True(hasher.NeedsRehash(old));
        Assert.False(hasher.NeedsRehash(hasher.Hash("correct horse")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha256$1000$bad base64$AAAA")]
    [InlineData("pbkdf2-sha256$-5$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$1000$AAAA$")]
    [InlineData("bcrypt$1000$AAAA$AAAA")]
    public void Verify_MalformedStoredHash_IsFalseWithoutThrowing(string stored)
    {
        PasswordHasher hasher = Counting(Iterations);

        Assert.False(hasher.Verify("correct horse", stored));
        Assert.True(hasher.NeedsRehash(stored));
        Assert.Empty(_derivations);
    }

    [Fact]
    public void Verify_StoredHashClaimingTooManyIterations_IsRefusedWithoutTheWork()
    {
        PasswordHasher hasher = Counting(Iterations);
        string salt = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

        bool verified = hasher.Verify("x", $"pbkdf2-sha256${PasswordHasher.MaxIterations + 1}${salt}${salt}");

        Assert.False(verified);
        Assert.Empty(_derivations);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(PasswordHasher.MaxIterations + 1)]
    public void Constructor_IterationsOutOfRange_Throws(int iterations) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordHasher(iterations));

    private PasswordHasher Counting(int iterations) => new(iterations, (password, salt, n, length) =>
    {
        _derivations.Add(n);
        return Rfc2898DeriveBytes.Pbkdf2(password, salt, n, HashAlgorithmName.SHA256, length);
    });
}
