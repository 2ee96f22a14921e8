using Dapper;
using Npgsql;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Storage;

/// <summary>The password-hash upgrade at login (issue 9) against a real PostgreSQL; each test uses its own user.</summary>
[Collection(RealServicesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgresUserRepositoryTests(TestServicesFixture services) : IAsyncLifetime
{
    private readonly string _userId = "hash_" + Guid.NewGuid().ToString("N")[..16];
    private NpgsqlDataSource? _dataSource;

    public async ValueTask InitializeAsync()
    {
        PostgresOptions options = RealServiceOptions.Postgres(services.Require());
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        _dataSource = await RealServiceOptions.CreateMigratedDataSourceAsync(options, cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            await connection.ExecuteAsync("DELETE FROM users WHERE user_id = @userId", new { userId = _userId });
            await _dataSource.DisposeAsync();
        }
    }

    [Fact]
    public async Task TryReplacePasswordHashAsync_StillTheExpectedHash_Replaces()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var users = new PostgresUserRepository(_dataSource!);
        string old = new PasswordHasher(10_000).Hash("correct horse");
        string upgraded = new PasswordHasher(20_000).Hash("correct horse");
        Assert.True(await users.TryCreateAsync(_userId, null, old, cts.Token));

        bool replaced = await users.TryReplacePasswordHashAsync(_userId, old, upgraded, cts.Token);

        Assert.True(replaced);
        UserAccount? account = await users.FindAsync(_userId, cts.Token);
        Assert.Equal(upgraded, account?.PasswordHash);
    }

    [Fact]
    public async Task TryReplacePasswordHashAsync_HashChangedMeanwhile_LeavesIt()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        var users = new PostgresUserRepository(_dataSource!);
        var hasher = new PasswordHasher(10_000);
        string current = hasher.Hash("new password");
        Assert.True(await users.TryCreateAsync(_userId, null, current, cts.Token));

        bool replaced = await users.TryReplacePasswordHashAsync(_userId, hasher.Hash("old password"), hasher.Hash("old password"), cts.Token);

        Assert.False(replaced);
        Assert.Equal(current, (await users.FindAsync(_userId, cts.Token))?.PasswordHash);
    }
}
