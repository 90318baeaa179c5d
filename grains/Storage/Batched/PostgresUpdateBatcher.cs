using Npgsql;
using NpgsqlTypes;
using OrleansTenancy.Sql;

namespace OrleansTenancy.Storage;

/// <summary>
/// Sends the state updates of many grains to PostgreSQL together: updates that queue while the batches in flight run
/// go, sorted by key, into one transaction and one round trip (an <see cref="NpgsqlBatch"/>), so one WAL flush serves
/// them all. A handful of batches run at once, as PostgreSQL takes concurrent writers.
/// </summary>
/// <remarks>
/// Each update is a compare-and-swap on the ETag; one that matches no row reports <see langword="false"/> and leaves
/// the others alone. If a batch fails as a whole (an error in one statement aborts a PostgreSQL transaction), the
/// drainer sends its updates again one by one, so each caller gets its own outcome.
/// </remarks>
internal sealed class PostgresUpdateBatcher
{
    /// <summary>The most updates sent in one batch.</summary>
    public const int MaxUpdatesPerBatch = 256;

    /// <summary>The most batches in flight at once.</summary>
    public const int MaxBatchesInFlight = 4;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _sql;
    private readonly BatchDrainer<Update> _queue;

    public PostgresUpdateBatcher(NpgsqlDataSource dataSource, string table)
    {
        _dataSource = dataSource;
        _sql = $"UPDATE {table} SET payload = $1, etag = $2, modified_at = now() " +
            "WHERE service_id = $3 AND grain_type = $4 AND grain_key = $5 AND state_name = $6 AND etag = $7";
        _queue = new BatchDrainer<Update>(SendAsync, static (update, error) => update.Completion.TrySetException(error), MaxUpdatesPerBatch, MaxBatchesInFlight);
    }

    /// <summary>
    /// Queues a compare-and-swap update; the task says whether the stored ETag matched (and the row was replaced) once
    /// the transaction holding it has committed.
    /// </summary>
    public Task<bool> UpdateAsync(GrainStorageKey key, string json, string expectedETag, string newETag)
    {
        var update = new Update(key, json, expectedETag, newETag);
        _queue.Add(update);
        return update.Completion.Task;
    }

    private async Task SendAsync(List<Update> updates)
    {
        // One order for every batch, so two batches can never wait on each other's row locks.
        updates.Sort(static (a, b) => CompareKeys(a.Key, b.Key));
        var matched = await RunAsync(updates).ConfigureAwait(false);
        for (var i = 0; i < updates.Count; i++)
        {
            updates[i].Completion.TrySetResult(matched[i]);
        }
    }

    private static int CompareKeys(GrainStorageKey a, GrainStorageKey b)
    {
        var order = string.CompareOrdinal(a.GrainType, b.GrainType);
        order = order != 0 ? order : string.CompareOrdinal(a.GrainKey, b.GrainKey);
        order = order != 0 ? order : string.CompareOrdinal(a.StateName, b.StateName);
        return order != 0 ? order : string.CompareOrdinal(a.ServiceId, b.ServiceId);
    }

    private async Task<bool[]> RunAsync(List<Update> updates)
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var update in updates)
        {
            var command = new NpgsqlBatchCommand(_sql);
            command.Parameters.Add(new NpgsqlParameter { Value = update.Json, NpgsqlDbType = NpgsqlDbType.Json });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = update.NewETag });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = update.Key.ServiceId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = update.Key.GrainType });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = update.Key.GrainKey });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = update.Key.StateName });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = update.ExpectedETag });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
        var matched = new bool[updates.Count];
        for (var i = 0; i < matched.Length; i++)
        {
            matched[i] = batch.BatchCommands[i].RecordsAffected == 1;
        }

        return matched;
    }

    private sealed record Update(GrainStorageKey Key, string Json, string ExpectedETag, string NewETag)
    {
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
