using Dapper;
using EvolveDb;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary>
/// Applies the embedded <c>Storage/Migrations/V&lt;n&gt;__&lt;name&gt;.sql</c> files with Evolve, in
/// version order, each once and in its own transaction, recorded in <c>schema_changelog</c>.
/// RestApi and MainServerConsumer both run it at start: Evolve's cluster mode holds a PostgreSQL
/// session-level advisory lock while it migrates, so they take turns.
/// </summary>
public sealed partial class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    /// <summary>The resource-name prefix of our scripts (folder Storage/Migrations of this assembly).</summary>
    public const string ScriptPrefix = "RealTimeMessageChat.Infrastructure.Storage.Migrations";

    private const string ChangelogTable = "schema_changelog";

    // Our own runner (until 2026-12) recorded applied files as '0001_create_users.sql' in this
    // table. A database it migrated starts Evolve after the last of those, so nothing runs twice.
    private const string LegacyHistoryVersion = """
        SELECT max(substring(name from '^([0-9]+)_')::int)
        FROM schema_migrations
        WHERE to_regclass('schema_migrations') IS NOT NULL AND to_regclass('schema_changelog') IS NULL
        """;

    private const string LegacyHistoryExists = "SELECT to_regclass('schema_migrations') IS NOT NULL AND to_regclass('schema_changelog') IS NULL";

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        int? legacyVersion = await ReadLegacyVersionAsync(cancellationToken).ConfigureAwait(false);

        // Evolve is synchronous; it runs once at start, off the caller's thread.
        await Task.Run(
            () =>
            {
                using NpgsqlConnection connection = dataSource.CreateConnection();
                var evolve = new Evolve(connection, message => LogEvolve(logger, message))
                {
                    EmbeddedResourceAssemblies = [typeof(MigrationRunner).Assembly],
                    EmbeddedResourceFilters = [ScriptPrefix],
                    MetadataTableName = ChangelogTable,
                    EnableClusterMode = true,
                    IsEraseDisabled = true,
                };
                if (legacyVersion is { } applied)
                {
                    evolve.StartVersion = new EvolveDb.Migration.MigrationVersion((applied + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    LogAdoptingLegacyHistory(logger, applied);
                }

                evolve.Migrate();
                LogMigrated(logger, evolve.NbMigration);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<int?> ReadLegacyVersionAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        bool legacy = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(LegacyHistoryExists, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return legacy
            ? await connection.ExecuteScalarAsync<int?>(new CommandDefinition(LegacyHistoryVersion, cancellationToken: cancellationToken)).ConfigureAwait(false)
            : null;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Database migrations: {Count} applied now")]
    private static partial void LogMigrated(ILogger logger, int count);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "Evolve: {Message}")]
    private static partial void LogEvolve(ILogger logger, string message);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Found the earlier runner's history up to migration {Version}; Evolve continues after it")]
    private static partial void LogAdoptingLegacyHistory(ILogger logger, int version);
}
