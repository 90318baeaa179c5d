using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using OrleansTenancy.Sql;

namespace OrleansTenancy.Storage;

/// <summary>
/// Grain storage in one SQLite file, the embedded default. Register it with
/// <see cref="GrainStorageSiloBuilderExtensions.AddSqliteGrainStorage(Orleans.Hosting.ISiloBuilder, string, Action{SqliteGrainStorageOptions})"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>One writer, one flush per batch.</b> The file runs in WAL mode with <c>synchronous=FULL</c>. Every write goes
/// through the file's <see cref="SqliteWriteBatcher"/>, which the usage ledger shares: writes that queue while a
/// transaction commits are committed together in the next one, each in a savepoint of its own, so one disk flush serves
/// the state writes of many grains and the ledger's rows, and a write is acknowledged only after the commit that holds
/// it.
/// </para>
/// <para>
/// <b>Compare-and-swap.</b> Each write is one conditional statement (<c>INSERT … ON CONFLICT DO NOTHING</c> for the
/// first, <c>UPDATE … WHERE etag = expected</c> after), and the primary key is the full identity (service id, grain
/// type, grain key, state name). SQLite runs one write transaction at a time, so of two writers holding the same ETag,
/// in this process or another, exactly one matches; the other's statement changes no row and it gets
/// <see cref="InconsistentStateException"/>, undone alone inside its savepoint.
/// </para>
/// <para>
/// <b>Failure modes.</b> A full disk or an I/O error fails the transaction and every write in it (each caller gets the
/// error; none of them is acknowledged). Another process holding the write lock longer than
/// <see cref="SqliteGrainStorageOptions.BusyTimeout"/> fails the write with <c>SQLITE_BUSY</c>.
/// </para>
/// </remarks>
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

    private const string KeyFilter = "service_id = $service AND grain_type = $type AND grain_key = $key AND state_name = $state";

    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the provider; the file and schema are created at silo start or on first use.</summary>
    /// <param name="name">The provider name, used in errors and logs.</param>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="serviceId">The service id that scopes every key (Orleans' <c>ClusterOptions.ServiceId</c>).</param>
    /// <param name="serializer">The state serializer; <see langword="null"/> means <see cref="JsonGrainStateSerializer.Default"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> logs nothing.</param>
    /// <param name="timeProvider">The clock of the <c>modified_at</c> column; <see langword="null"/> means the system clock.</param>
    public SqliteGrainStorage(
        string name,
        SqliteGrainStorageOptions options,
        string serviceId,
        JsonGrainStateSerializer? serializer = null,
        ILogger<SqliteGrainStorage>? logger = null,
        TimeProvider? timeProvider = null)
        : base(name, serviceId, Validated(name, options).InitStage, serializer ?? JsonGrainStateSerializer.Default, logger ?? NullLogger<SqliteGrainStorage>.Instance)
    {
        FilePath = Path.GetFullPath(options.DataSource);
        BusyTimeout = options.BusyTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _connectionString = SqliteFiles.ConnectionString(FilePath, options.BusyTimeout);
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>How long an operation waits for another process's write lock.</summary>
    public TimeSpan BusyTimeout { get; }

    /// <summary>Releases the pooled connections, so the file can be moved, deleted or reopened.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private protected override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await SqliteFiles.MigrateAsync(FilePath, _connectionString, Component, Migrations, cancellationToken).ConfigureAwait(false);
        Logger.LogInformation(
            "Grain storage '{Provider}': SQLite file {File} (service id '{ServiceId}', busy timeout {BusyTimeout})",
            Name, FilePath, ServiceId, BusyTimeout);
    }

    private protected override async Task<StoredRecord?> ReadRecordAsync(GrainStorageKey key, CancellationToken cancellationToken)
    {
        await using var connection = await SqliteFiles.OpenAsync(_connectionString, cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, key, "SELECT payload, etag FROM grain_state WHERE " + KeyFilter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredRecord(reader.GetString(0), reader.GetString(1))
            : null;
    }

    private protected override Task InsertRecordAsync(GrainStorageKey key, string json, string newETag, CancellationToken cancellationToken)
    {
        var now = Now();
        return CompareAndSwapAsync(key, "first write", expectedETag: null, """
            INSERT INTO grain_state (service_id, grain_type, grain_key, state_name, etag, payload, modified_at)
            VALUES ($service, $type, $key, $state, $newETag, $payload, $now)
            ON CONFLICT DO NOTHING
            """, parameters =>
            {
                parameters.AddWithValue("$newETag", newETag);
                parameters.AddWithValue("$payload", json);
                parameters.AddWithValue("$now", now);
            }, cancellationToken);
    }

    private protected override Task UpdateRecordAsync(GrainStorageKey key, string json, string expectedETag, string newETag, CancellationToken cancellationToken)
    {
        var now = Now();
        return CompareAndSwapAsync(key, "write", expectedETag,
            "UPDATE grain_state SET payload = $payload, etag = $newETag, modified_at = $now WHERE " + KeyFilter + " AND etag = $expected",
            parameters =>
            {
                parameters.AddWithValue("$payload", json);
                parameters.AddWithValue("$newETag", newETag);
                parameters.AddWithValue("$now", now);
            }, cancellationToken);
    }

    private protected override Task DeleteRecordAsync(GrainStorageKey key, string? expectedETag, CancellationToken cancellationToken) =>
        expectedETag is null
            ? WriteAsync(async connection =>
            {
                // The caller believes no record exists: nothing to do when true, a conflict when one does.
                if (await StoredETagAsync(connection, key).ConfigureAwait(false) is { } stored)
                {
                    throw Conflict(key, "clear", stored, null);
                }
            }, cancellationToken)
            : CompareAndSwapAsync(key, "clear", expectedETag, "DELETE FROM grain_state WHERE " + KeyFilter + " AND etag = $expected", static _ => { }, cancellationToken);

    /// <summary>
    /// Runs one conditional statement in the file's write queue; when it changes no row, the stored version was not the
    /// expected one and the write fails with <see cref="InconsistentStateException"/> (undone alone in its savepoint).
    /// </summary>
    private Task<bool> CompareAndSwapAsync(
        GrainStorageKey key, string operation, string? expectedETag, string sql, Action<SqliteParameterCollection> bind, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            await using var command = Command(connection, key, sql);
            if (expectedETag is not null)
            {
                command.Parameters.AddWithValue("$expected", expectedETag);
            }

            bind(command.Parameters);
            if (await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 0)
            {
                throw Conflict(key, operation, await StoredETagAsync(connection, key).ConfigureAwait(false), expectedETag);
            }
        }, cancellationToken);

    /// <summary>Runs a write in the file's shared queue (committed with the writes of other grains and the ledger).</summary>
    private Task<bool> WriteAsync(Func<SqliteConnection, Task> write, CancellationToken cancellationToken) =>
        SqliteWriteBatcher.For(FilePath).RunAsync(_connectionString, async connection =>
        {
            await write(connection).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private static SqliteCommand Command(SqliteConnection connection, GrainStorageKey key, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", key.ServiceId);
        command.Parameters.AddWithValue("$type", key.GrainType);
        command.Parameters.AddWithValue("$key", key.GrainKey);
        command.Parameters.AddWithValue("$state", key.StateName);
        return command;
    }

    private static async Task<string?> StoredETagAsync(SqliteConnection connection, GrainStorageKey key)
    {
        await using var command = Command(connection, key, "SELECT etag FROM grain_state WHERE " + KeyFilter);
        return await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false) as string;
    }

    private string Now() => _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static SqliteGrainStorageOptions Validated(string name, SqliteGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        new SqliteGrainStorageOptionsValidator(options, name).ValidateConfiguration();
        return options;
    }
}
