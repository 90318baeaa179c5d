using System.Globalization;
using Npgsql;

namespace OrleansTenancy.Sql;

/// <summary>Applies numbered schema migrations once per database, serialized across processes by an advisory lock.</summary>
public static class PostgresMigrations
{
    // An arbitrary constant shared by every process of this program: pg_advisory_xact_lock on it makes
    // concurrent silos apply migrations one after another (CREATE TABLE IF NOT EXISTS alone can still fail
    // with a unique violation on pg_type when two sessions run it at the same moment).
    private const long MigrationLockKey = 0x4F54_5354_4F52_4147;

    /// <summary>Applies the migrations of <paramref name="component"/> not yet applied, in order, each once, under the advisory lock.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, string component, IReadOnlyList<string> migrations, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("""
            SELECT pg_advisory_xact_lock(@lock);
            CREATE TABLE IF NOT EXISTS schema_migrations (
                component  text        NOT NULL,
                version    integer     NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (component, version)
            );
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("lock", MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var command = new NpgsqlCommand(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = @component", connection, transaction))
        {
            command.Parameters.AddWithValue("component", component);
            var applied = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            for (var version = applied + 1; version <= migrations.Count; version++)
            {
                await using var step = new NpgsqlCommand(migrations[version - 1], connection, transaction);
                await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await using var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (component, version) VALUES (@component, @version)", connection, transaction);
                record.Parameters.AddWithValue("component", component);
                record.Parameters.AddWithValue("version", version);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
