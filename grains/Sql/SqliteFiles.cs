using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrleansTenancy.Sql;

/// <summary>Opening SQLite files and applying numbered schema migrations exactly once.</summary>
public static class SqliteFiles
{
    /// <summary>A pooled read-write connection string for <paramref name="filePath"/> that waits up to <paramref name="busyTimeout"/> on a locked database.</summary>
    public static string ConnectionString(string filePath, TimeSpan busyTimeout) => new SqliteConnectionStringBuilder
    {
        DataSource = filePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout expires.
        DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
    }.ToString();

    /// <summary>Opens a connection (creating the file's folder if needed).</summary>
    public static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Creates the folder, switches the file to WAL and applies the migrations of <paramref name="component"/>
    /// not yet recorded in <c>schema_migrations</c>, in order and each once, inside one immediate (write-locked)
    /// transaction so two processes opening a fresh file cannot both apply them.
    /// </summary>
    public static async Task MigrateAsync(string filePath, string connectionString, string component, IReadOnlyList<string> migrations, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(filePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        using var turn = await SqliteWriteGate.EnterAsync(filePath, cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // BeginTransaction() in Microsoft.Data.Sqlite issues BEGIN IMMEDIATE: the write lock is taken up front.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var table = connection.CreateCommand())
        {
            table.CommandText = """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    component  TEXT NOT NULL,
                    version    INTEGER NOT NULL,
                    applied_at TEXT NOT NULL,
                    PRIMARY KEY (component, version)
                );
                """;
            table.Transaction = transaction;
            await table.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            table.CommandText = """
                SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = $component;
                """;
            table.Parameters.AddWithValue("$component", component);
            var applied = Convert.ToInt32(await table.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            for (var version = applied + 1; version <= migrations.Count; version++)
            {
                await using var step = connection.CreateCommand();
                step.Transaction = transaction;
                step.CommandText = migrations[version - 1] +
                    "\nINSERT INTO schema_migrations (component, version, applied_at) VALUES ($component, $version, $now);";
                step.Parameters.AddWithValue("$component", component);
                step.Parameters.AddWithValue("$version", version);
                step.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
