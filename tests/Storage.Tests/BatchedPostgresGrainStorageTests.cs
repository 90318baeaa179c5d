using Npgsql;
using Orleans.Storage;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Storage.Tests;

[RequiresPostgres]
public sealed class BatchedPostgresGrainStorageTests : GrainStorageContractTests, IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private readonly PostgresFixture _database;
    private readonly BatchedPostgresGrainStorage _storage;

    // A second provider with its own pool stands in for another silo.
    private readonly BatchedPostgresGrainStorage _otherSilo;

    public BatchedPostgresGrainStorageTests(PostgresFixture database)
    {
        _database = database;
        _storage = Open();
        _otherSilo = Open();
    }

    protected override IGrainStorage Storage => _storage;

    protected override IGrainStorage OtherSilo => _otherSilo;

    private BatchedPostgresGrainStorage Open() =>
        new("batched-pg-test", new BatchedPostgresGrainStorageOptions { ConnectionString = _database.ConnectionString }, StorageSilo.ServiceId);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _storage.DisposeAsync();
        await _otherSilo.DisposeAsync();
    }

    [StoreFact]
    public async Task Concurrent_updates_of_many_grains_each_get_their_own_outcome()
    {
        // Updates that queue together are sent together; a stale ETag among them must fail alone.
        var grains = Enumerable.Range(0, 60).Select(_ => NewGrain()).ToArray();
        var states = grains.Select(_ => NewState(new LedgerLikeState { Spent = 1m })).ToArray();
        await Task.WhenAll(grains.Select((g, i) => _storage.WriteStateAsync(StateName, g, states[i])));
        for (var i = 1; i < states.Length; i += 2)
        {
            states[i].ETag = "stale-" + i;
        }

        var outcomes = await Task.WhenAll(grains.Select((g, i) =>
        {
            states[i].State.Spent = 2m + i;
            return Succeeds(_storage.WriteStateAsync(StateName, g, states[i]));
        }));

        for (var i = 0; i < grains.Length; i++)
        {
            var stored = await ReadAsync(_otherSilo, grains[i]);
            Assert.Equal(i % 2 == 0, outcomes[i]);
            Assert.Equal(i % 2 == 0 ? 2m + i : 1m, stored.State.Spent);
        }
    }

    [StoreFact]
    public async Task The_full_grain_identity_is_the_primary_key()
    {
        await _storage.EnsureInitializedAsync(CancellationToken.None);

        Assert.Equal("service_id,grain_type,grain_key,state_name", await PostgresSchema.UniqueKeyAsync(_database.ConnectionString, "grain_state"));
    }

    [StoreFact]
    public async Task State_is_stored_as_the_exact_json_text_written()
    {
        var grain = NewGrain();
        var state = new LedgerLikeState { Spent = 1.50m, Notes = ["z", "a"] };
        await _storage.WriteStateAsync(StateName, grain, NewState(state));

        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT payload::text FROM grain_state WHERE grain_key = @key", connection);
        command.Parameters.AddWithValue("key", grain.Key.ToString()!);
        Assert.Equal(JsonGrainStateSerializer.Default.SerializeToText(state), (string?)await command.ExecuteScalarAsync());
    }

    [StoreFact]
    public async Task Silos_starting_together_create_the_table_once()
    {
        var silos = Enumerable.Range(0, 6).Select(_ => Open()).ToList();
        try
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var starts = silos.Select(async silo =>
            {
                await gate.Task;
                await silo.EnsureInitializedAsync(CancellationToken.None);
            }).ToList();
            gate.SetResult();
            await Task.WhenAll(starts).WaitAsync(TimeSpan.FromSeconds(30));

            await using var connection = new NpgsqlConnection(_database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations WHERE component = 'grain_storage:grain_state'", connection);
            Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }
}
