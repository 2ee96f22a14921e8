using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RealTimeMessageChat.Infrastructure.Storage.Postgres;
using RealTimeMessageChat.MainServerConsumer.Tests.Support;
using RealTimeMessageChat.TestUtilities;
using RealTimeMessageChat.TestUtilities.Services;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Storage;

/// <summary>Evolve against a real PostgreSQL; each test gets a database of its own.</summary>
[Collection(RealServicesCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MigrationRunnerTests(TestServicesFixture services) : IAsyncLifetime
{
    private readonly string _database = "rtmc_migrations_" + Guid.NewGuid().ToString("N");
    private PostgresOptions _admin = null!;
    private NpgsqlDataSource _dataSource = null!;

    public async ValueTask InitializeAsync()
    {
        _admin = RealServiceOptions.Postgres(services.Require());
        await using (var admin = new NpgsqlConnection(_admin.BuildConnectionString()))
        {
            await admin.ExecuteAsync($"CREATE DATABASE \"{_database}\"");
        }

        _dataSource = NpgsqlDataSource.Create(Options(_database).BuildConnectionString());
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_admin.BuildConnectionString());
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
    }

    [Fact]
    public async Task ApplyAsync_FreshDatabase_CreatesTheSchemaOnceAndIsIdempotent()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);

        await Runner().ApplyAsync(cts.Token);
        await Runner().ApplyAsync(cts.Token);

        await using var connection = await _dataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(["users", "chat_messages"], await TablesAsync(connection));
        Assert.Equal(["messages"], await ViewsAsync(connection));
        var applied = (await connection.QueryAsync<string>("SELECT version FROM schema_changelog WHERE type = 0 ORDER BY id")).ToList();
        Assert.Equal(ScriptVersions(), applied);
    }

    [Fact]
    public async Task ApplyAsync_TwoProcessesAtOnce_EachScriptRunsOnce()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await using NpgsqlDataSource second = NpgsqlDataSource.Create(Options(_database).BuildConnectionString());

        await Task.WhenAll(
            Runner().ApplyAsync(cts.Token),
            new MigrationRunner(second, NullLogger<MigrationRunner>.Instance).ApplyAsync(cts.Token));

        await using var connection = await _dataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(ScriptVersions().Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_changelog WHERE type = 0"));
        Assert.Equal(["users", "chat_messages"], await TablesAsync(connection));
    }

    [Fact]
    public async Task ApplyAsync_DatabaseOfTheEarlierRunner_ContinuesAfterItsHistory()
    {
        using var cts = TestTimeouts.Create(TestTimeouts.Short);
        await using (var connection = await _dataSource.OpenConnectionAsync(cts.Token))
        {
            // What the earlier runner left: the schema and its own history table.
            await connection.ExecuteAsync(ReadScript("V1__create_users.sql") + ReadScript("V2__create_messages.sql"));
            await connection.ExecuteAsync("""
                CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
                INSERT INTO schema_migrations (name) VALUES ('0001_create_users.sql'), ('0002_create_messages.sql');
                INSERT INTO users (user_id, password_hash) VALUES ('kept_user', 'x');
                """);
        }

        await Runner().ApplyAsync(cts.Token);

        await using var check = await _dataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(1, await check.ExecuteScalarAsync<int>("SELECT count(*) FROM users WHERE user_id = 'kept_user'"));
        var applied = (await check.QueryAsync<string>("SELECT version FROM schema_changelog WHERE type = 0 ORDER BY id")).ToList();
        Assert.Equal(ScriptVersions().Where(v => int.Parse(v, CultureInfo.InvariantCulture) > 2), applied);
    }

    /// <summary>The versions of the embedded scripts, in order (the list grows with every migration; gaps are allowed).</summary>
    private static List<string> ScriptVersions() =>
        [.. typeof(MigrationRunner).Assembly.GetManifestResourceNames()
            .Select(name => Regex.Match(name, @"\.V([0-9]+)__[^.]*\.sql$"))
            .Where(match => match.Success)
            .Select(match => match.Groups[1].Value)
            .OrderBy(version => int.Parse(version, CultureInfo.InvariantCulture))];

    private MigrationRunner Runner() => new(_dataSource, NullLogger<MigrationRunner>.Instance);

    private PostgresOptions Options(string database) => new()
    {
        Host = _admin.Host,
        Port = _admin.Port,
        User = _admin.User,
        Password = _admin.Password,
        Database = database,
        MaxPoolSize = 5,
    };

    private static async Task<List<string>> TablesAsync(NpgsqlConnection connection) =>
        (await connection.QueryAsync<string>("""
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name IN ('users', 'chat_messages')
            ORDER BY table_name DESC
            """)).ToList();

    private static async Task<List<string>> ViewsAsync(NpgsqlConnection connection) =>
        (await connection.QueryAsync<string>("SELECT table_name FROM information_schema.views WHERE table_schema = 'public' ORDER BY table_name")).ToList();

    private static string ReadScript(string file)
    {
        using Stream stream = typeof(MigrationRunner).Assembly.GetManifestResourceStream($"{MigrationRunner.ScriptPrefix}.{file}")!;
        return new StreamReader(stream).ReadToEnd();
    }
}
