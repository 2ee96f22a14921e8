using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace RealTimeMessageChat.Infrastructure.Storage.Postgres;

/// <summary>
/// Applies the embedded <c>Storage/Migrations/NNNN_name.sql</c> files in name order, each once, each
/// in its own transaction. DbUp and FluentMigrator are not served here, so this is the small
/// runner. RestApi and MainServerConsumer both run it at start; an advisory lock makes them take turns.
/// </summary>
public sealed partial class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    // Any constant works; it only has to be the same in every process that migrates.
    private const long AdvisoryLockKey = 0x52544D43; // "RTMC"

    private const string CreateHistoryTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            name       text PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(CreateHistoryTable, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var applied = (await connection.QueryAsync<string>(new CommandDefinition("SELECT name FROM schema_migrations", cancellationToken: cancellationToken))
                .ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);

            foreach (var (name, sql) in LoadScripts())
            {
                if (applied.Contains(name))
                {
                    continue;
                }

                await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_migrations (name) VALUES (@name)", new { name }, transaction, cancellationToken: cancellationToken))
                    .ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                LogApplied(logger, name);
            }
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLockKey }, cancellationToken: CancellationToken.None))
                .ConfigureAwait(false);
        }
    }

    /// <summary>The embedded scripts, ordered by file name.</summary>
    public static IReadOnlyList<(string Name, string Sql)> LoadScripts()
    {
        Assembly assembly = typeof(MigrationRunner).Assembly;
        const string Marker = ".Storage.Migrations.";
        var scripts = new List<(string, string)>();
        foreach (string resource in assembly.GetManifestResourceNames().Where(r => r.Contains(Marker, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            string name = resource[(resource.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..];
            scripts.Add((name, reader.ReadToEnd()));
        }

        return scripts;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Applied database migration {Name}")]
    private static partial void LogApplied(ILogger logger, string name);
}
