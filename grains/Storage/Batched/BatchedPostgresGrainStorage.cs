using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Orleans.Storage;
using OrleansTenancy.Sql;

namespace OrleansTenancy.Storage;

/// <summary>
/// Grain storage in PostgreSQL with its state updates batched across grains: the alternative to Orleans' AdoNet provider
/// on <c>deploy/sql</c>, kept so the two can be measured side by side. Register it with
/// <see cref="GrainStorageSiloBuilderExtensions.AddBatchedPostgresGrainStorage(Orleans.Hosting.ISiloBuilder, string, Action{BatchedPostgresGrainStorageOptions})"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Batching.</b> Updates that queue while up to four batches are in flight go, sorted by key, into one transaction
/// and one round trip (<see cref="PostgresUpdateBatcher"/>), so one WAL flush serves many grains. Each update is still a
/// compare-and-swap on its ETag with its own outcome; a batch that fails as a whole is retried update by update.
/// </para>
/// <para>
/// <b>Identity.</b> The primary key is the full identity (service id, grain type, grain key, state name), so of two
/// concurrent first writes exactly one inserts and the other finds the row and fails with
/// <see cref="InconsistentStateException"/>. The table is created at silo start (or first use) under an advisory lock,
/// so silos starting together do not race on <c>CREATE TABLE</c>. State is kept as <c>json</c> (verbatim text, unlike
/// <c>jsonb</c>), so it reads back exactly as written.
/// </para>
/// </remarks>
public sealed class BatchedPostgresGrainStorage : JsonGrainStorage, IAsyncDisposable
{
    private const string KeyFilter = "service_id = @service AND grain_type = @type AND grain_key = @key AND state_name = @state";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;
    private readonly PostgresUpdateBatcher _updates;

    /// <summary>Creates the provider and its connection pool; the table is created at silo start or on first use.</summary>
    /// <param name="name">The provider name, used in errors and logs.</param>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="serviceId">The service id that scopes every key (Orleans' <c>ClusterOptions.ServiceId</c>).</param>
    /// <param name="serializer">The state serializer; <see langword="null"/> means <see cref="JsonGrainStateSerializer.Default"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> logs nothing.</param>
    public BatchedPostgresGrainStorage(
        string name,
        BatchedPostgresGrainStorageOptions options,
        string serviceId,
        JsonGrainStateSerializer? serializer = null,
        ILogger<BatchedPostgresGrainStorage>? logger = null)
        : base(name, serviceId, Validated(name, options).InitStage, serializer ?? JsonGrainStateSerializer.Default, logger ?? NullLogger<BatchedPostgresGrainStorage>.Instance)
    {
        _table = options.TableName;
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        _updates = new PostgresUpdateBatcher(_dataSource, _table);
    }

    /// <summary>Closes the connection pool.</summary>
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private protected override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await PostgresMigrations.ApplyAsync(_dataSource, $"grain_storage:{_table}", [
            $"""
            CREATE TABLE IF NOT EXISTS {_table} (
                service_id  text        NOT NULL,
                grain_type  text        NOT NULL,
                grain_key   text        NOT NULL,
                state_name  text        NOT NULL,
                etag        text        NOT NULL,
                payload     json        NOT NULL,
                modified_at timestamptz NOT NULL,
                CONSTRAINT {_table}_identity PRIMARY KEY (service_id, grain_type, grain_key, state_name)
            );
            """,
        ], cancellationToken).ConfigureAwait(false);
        var connection = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
        Logger.LogInformation(
            "Grain storage '{Provider}': batched PostgreSQL on {Host}:{Port}/{Database}, table {Table} (service id '{ServiceId}')",
            Name, connection.Host, connection.Port, connection.Database, _table, ServiceId);
    }

    private protected override async Task<StoredRecord?> ReadRecordAsync(GrainStorageKey key, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, key, $"SELECT payload::text, etag FROM {_table} WHERE {KeyFilter}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredRecord(reader.GetString(0), reader.GetString(1))
            : null;
    }

    private protected override async Task InsertRecordAsync(GrainStorageKey key, string json, string newETag, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, key, $"""
            INSERT INTO {_table} (service_id, grain_type, grain_key, state_name, etag, payload, modified_at)
            VALUES (@service, @type, @key, @state, @new_etag, @payload, now())
            ON CONFLICT (service_id, grain_type, grain_key, state_name) DO NOTHING
            """);
        command.Parameters.AddWithValue("new_etag", newETag);
        command.Parameters.AddWithValue("payload", NpgsqlDbType.Json, json);
        if (await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 0)
        {
            throw Conflict(key, "first write", await StoredETagAsync(connection, key, CancellationToken.None).ConfigureAwait(false), null);
        }
    }

    private protected override async Task UpdateRecordAsync(GrainStorageKey key, string json, string expectedETag, string newETag, CancellationToken cancellationToken)
    {
        // Sent with the updates of other grains that queue meanwhile: one transaction, one round trip.
        cancellationToken.ThrowIfCancellationRequested();
        if (!await _updates.UpdateAsync(key, json, expectedETag, newETag).ConfigureAwait(false))
        {
            await using var connection = await _dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            throw Conflict(key, "write", await StoredETagAsync(connection, key, CancellationToken.None).ConfigureAwait(false), expectedETag);
        }
    }

    private protected override async Task DeleteRecordAsync(GrainStorageKey key, string? expectedETag, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (expectedETag is null)
        {
            if (await StoredETagAsync(connection, key, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                throw Conflict(key, "clear", stored, null);
            }

            return;
        }

        await using var command = Command(connection, key, $"DELETE FROM {_table} WHERE {KeyFilter} AND etag = @expected");
        command.Parameters.AddWithValue("expected", expectedETag);
        if (await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 0)
        {
            throw Conflict(key, "clear", await StoredETagAsync(connection, key, CancellationToken.None).ConfigureAwait(false), expectedETag);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, GrainStorageKey key, string sql)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("service", key.ServiceId);
        command.Parameters.AddWithValue("type", key.GrainType);
        command.Parameters.AddWithValue("key", key.GrainKey);
        command.Parameters.AddWithValue("state", key.StateName);
        return command;
    }

    private async Task<string?> StoredETagAsync(NpgsqlConnection connection, GrainStorageKey key, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, key, $"SELECT etag FROM {_table} WHERE {KeyFilter}");
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static BatchedPostgresGrainStorageOptions Validated(string name, BatchedPostgresGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        new BatchedPostgresGrainStorageOptionsValidator(options, name).ValidateConfiguration();
        return options;
    }
}
