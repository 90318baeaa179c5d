using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OrleansTenancy.Sql;

namespace OrleansTenancy.Runtime.Storage;

/// <summary>
/// Grain storage in PostgreSQL, for clusters of several silos. The primary key is the full identity
/// (service id, grain type, grain key, state name), so of two concurrent first writes exactly one inserts
/// and the other finds the row and fails with <see cref="InconsistentStateException"/>; later writes are
/// <c>UPDATE … WHERE etag = expected</c>. The schema is created on first use under an advisory lock, so
/// silos starting together do not race on <c>CREATE TABLE</c>. State is kept as <c>json</c> (verbatim
/// text, unlike <c>jsonb</c>), so property order and number formatting come back exactly as written.
/// </summary>
public sealed class PostgresGrainStorage : JsonGrainStorage, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;
    private readonly PostgresUpdateBatcher _updates;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Creates the provider and its connection pool; the schema is created on first use.</summary>
    /// <param name="providerName">The provider name, used in errors and metric tags.</param>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="serializerOptions">JSON options for state values; <see langword="null"/> means <see cref="GrainStateJson.DefaultOptions"/>.</param>
    /// <param name="instruments">Metrics sink; <see langword="null"/> reports to the process-wide storage meter.</param>
    public PostgresGrainStorage(
        string providerName,
        PostgresStorageOptions options,
        JsonSerializerOptions? serializerOptions = null,
        GrainStorageInstruments? instruments = null)
        : base(providerName, ValidOptions(providerName, options).ServiceId, serializerOptions, instruments)
    {
        _table = options.TableName;
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        _updates = new PostgresUpdateBatcher(_dataSource, _table);
    }

    /// <summary>Closes the connection pool.</summary>
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _initLock.Dispose();
    }

    private protected override async Task<StoredRecord?> ReadRecordAsync(StorageKey key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, key, $"SELECT payload::text, etag FROM {_table} WHERE {KeyFilter}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredRecord(reader.GetString(0), reader.GetString(1))
            : null;
    }

    private protected override async Task InsertRecordAsync(StorageKey key, string payload, string newETag, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, key, $"""
            INSERT INTO {_table} (service_id, grain_type, grain_key, state_name, etag, payload, modified_at)
            VALUES (@service, @type, @key, @state, @new_etag, @payload, now())
            ON CONFLICT (service_id, grain_type, grain_key, state_name) DO NOTHING
            """);
        command.Parameters.AddWithValue("new_etag", newETag);
        command.Parameters.AddWithValue("payload", NpgsqlDbType.Json, payload);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw Conflict(key, "first write", await StoredETagAsync(connection, key, cancellationToken).ConfigureAwait(false), null);
        }
    }

    private protected override async Task UpdateRecordAsync(StorageKey key, string payload, string expectedETag, string newETag, CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        // Sent with the updates of other grains that queue meanwhile: one transaction, one round trip.
        cancellationToken.ThrowIfCancellationRequested();
        if (!await _updates.UpdateAsync(key, payload, expectedETag, newETag).ConfigureAwait(false))
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            throw Conflict(key, "write", await StoredETagAsync(connection, key, cancellationToken).ConfigureAwait(false), expectedETag);
        }
    }

    private protected override async Task DeleteRecordAsync(StorageKey key, string? expectedETag, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (expectedETag is null)
        {
            var stored = await StoredETagAsync(connection, key, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                throw Conflict(key, "clear", stored, null);
            }

            return;
        }

        await using var command = Command(connection, key, $"DELETE FROM {_table} WHERE {KeyFilter} AND etag = @expected");
        command.Parameters.AddWithValue("expected", expectedETag);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw Conflict(key, "clear", await StoredETagAsync(connection, key, cancellationToken).ConfigureAwait(false), expectedETag);
        }
    }

    private const string KeyFilter = "service_id = @service AND grain_type = @type AND grain_key = @key AND state_name = @state";

    private static NpgsqlCommand Command(NpgsqlConnection connection, StorageKey key, string sql)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("service", key.ServiceId);
        command.Parameters.AddWithValue("type", key.GrainType);
        command.Parameters.AddWithValue("key", key.GrainKey);
        command.Parameters.AddWithValue("state", key.StateName);
        return command;
    }

    private async Task<string?> StoredETagAsync(NpgsqlConnection connection, StorageKey key, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, key, $"SELECT etag FROM {_table} WHERE {KeyFilter}");
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
            _initialized = true;
        }
        finally
        {
            _initLock.Release();
        }
    }

    private static PostgresStorageOptions ValidOptions(string providerName, PostgresStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(providerName);
        return options;
    }
}
