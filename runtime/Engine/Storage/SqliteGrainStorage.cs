using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrleansTenancy.Sql;

namespace OrleansTenancy.Runtime.Storage;

/// <summary>
/// Grain storage in one SQLite file (the embedded default). The file runs in WAL mode; each operation uses a
/// pooled connection and is a single conditional statement, so compare-and-swap stays correct with any
/// number of concurrent writers in this or another process: SQLite serializes the statements and the
/// <c>etag</c> condition decides which one wins.
/// </summary>
public sealed class SqliteGrainStorage : JsonGrainStorage, IDisposable
{
    private const string Component = "grain_storage";

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS grain_state (
            service_id  TEXT NOT NULL,
            grain_type  TEXT NOT NULL,
            grain_key   TEXT NOT NULL,
            state_name  TEXT NOT NULL,
            etag        TEXT NOT NULL,
            payload     TEXT NOT NULL,
            modified_at TEXT NOT NULL,
            PRIMARY KEY (service_id, grain_type, grain_key, state_name)
        ) WITHOUT ROWID;
        """,
    ];

    private readonly string _connectionString;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private readonly TimeProvider _timeProvider;
    private volatile bool _initialized;

    /// <summary>Creates the provider; the file and schema are created on first use.</summary>
    /// <param name="providerName">The provider name, used in errors and metric tags.</param>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="serializerOptions">JSON options for state values; <see langword="null"/> means <see cref="GrainStateJson.DefaultOptions"/>.</param>
    /// <param name="instruments">Metrics sink; <see langword="null"/> reports to the process-wide storage meter.</param>
    /// <param name="timeProvider">Clock for the <c>modified_at</c> column; defaults to the system clock.</param>
    public SqliteGrainStorage(
        string providerName,
        SqliteStorageOptions options,
        JsonSerializerOptions? serializerOptions = null,
        GrainStorageInstruments? instruments = null,
        TimeProvider? timeProvider = null)
        : base(providerName, ValidOptions(providerName, options).ServiceId, serializerOptions, instruments)
    {
        FilePath = Path.GetFullPath(options.DataSource);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _connectionString = SqliteFiles.ConnectionString(FilePath, options.BusyTimeout);
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Releases the pooled connections, so the file can be moved, deleted or reopened.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        _initLock.Dispose();
    }

    private protected override async Task<StoredRecord?> ReadRecordAsync(StorageKey key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, key, "SELECT payload, etag FROM grain_state WHERE " + KeyFilter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredRecord(reader.GetString(0), reader.GetString(1))
            : null;
    }

    private protected override async Task InsertRecordAsync(StorageKey key, string payload, string newETag, CancellationToken cancellationToken)
    {
        var now = Now();
        await WriteAsync(async connection =>
        {
            await using var command = Command(connection, key, """
                INSERT INTO grain_state (service_id, grain_type, grain_key, state_name, etag, payload, modified_at)
                VALUES ($service, $type, $key, $state, $newETag, $payload, $now)
                ON CONFLICT DO NOTHING
                """);
            command.Parameters.AddWithValue("$newETag", newETag);
            command.Parameters.AddWithValue("$payload", payload);
            command.Parameters.AddWithValue("$now", now);
            if (await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 0)
            {
                throw Conflict(key, "first write", await StoredETagAsync(connection, key).ConfigureAwait(false), null);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private protected override async Task UpdateRecordAsync(StorageKey key, string payload, string expectedETag, string newETag, CancellationToken cancellationToken)
    {
        var now = Now();
        await WriteAsync(async connection =>
        {
            await using var command = Command(connection, key,
                "UPDATE grain_state SET payload = $payload, etag = $newETag, modified_at = $now WHERE " + KeyFilter + " AND etag = $expected");
            command.Parameters.AddWithValue("$payload", payload);
            command.Parameters.AddWithValue("$newETag", newETag);
            command.Parameters.AddWithValue("$expected", expectedETag);
            command.Parameters.AddWithValue("$now", now);
            if (await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 0)
            {
                throw Conflict(key, "write", await StoredETagAsync(connection, key).ConfigureAwait(false), expectedETag);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private protected override async Task DeleteRecordAsync(StorageKey key, string? expectedETag, CancellationToken cancellationToken)
    {
        await WriteAsync(async connection =>
        {
            if (expectedETag is null)
            {
                if (await StoredETagAsync(connection, key).ConfigureAwait(false) is { } stored)
                {
                    throw Conflict(key, "clear", stored, null);
                }

                return;
            }

            await using var command = Command(connection, key, "DELETE FROM grain_state WHERE " + KeyFilter + " AND etag = $expected");
            command.Parameters.AddWithValue("$expected", expectedETag);
            if (await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 0)
            {
                throw Conflict(key, "clear", await StoredETagAsync(connection, key).ConfigureAwait(false), expectedETag);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a write in the file's shared write queue (committed with the writes of other grains and the ledger).</summary>
    private async Task WriteAsync(Func<SqliteConnection, Task> write, CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        await SqliteWriteBatcher.For(FilePath).RunAsync(_connectionString, async connection =>
        {
            await write(connection).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private const string KeyFilter = "service_id = $service AND grain_type = $type AND grain_key = $key AND state_name = $state";

    private static SqliteCommand Command(SqliteConnection connection, StorageKey key, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", key.ServiceId);
        command.Parameters.AddWithValue("$type", key.GrainType);
        command.Parameters.AddWithValue("$key", key.GrainKey);
        command.Parameters.AddWithValue("$state", key.StateName);
        return command;
    }

    private static async Task<string?> StoredETagAsync(SqliteConnection connection, StorageKey key)
    {
        await using var command = Command(connection, key, "SELECT etag FROM grain_state WHERE " + KeyFilter);
        return await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false) as string;
    }

    private string Now() => _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        return await SqliteFiles.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            await SqliteFiles.MigrateAsync(FilePath, _connectionString, Component, Migrations, cancellationToken).ConfigureAwait(false);
            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    private static SqliteStorageOptions ValidOptions(string providerName, SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(providerName);
        return options;
    }
}
