using Npgsql;
using OrleansTenancy.Runtime.Storage;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Runtime.Tests.Storage;

[RequiresPostgres]
public sealed class PostgresGrainStorageTests : GrainStorageContractTests, IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private readonly PostgresFixture _database;
    private readonly PostgresGrainStorage _storage;

    // A second provider with its own pool stands in for another silo.
    private readonly PostgresGrainStorage _otherSilo;

    public PostgresGrainStorageTests(PostgresFixture database)
    {
        _database = database;
        _storage = Open();
        _otherSilo = Open();
    }

    protected override IGrainStorage Storage => _storage;

    protected override IGrainStorage CreateSecondInstance() => _otherSilo;

    private PostgresGrainStorage Open() => new("pg-test", new PostgresStorageOptions
    {
        ConnectionString = _database.ConnectionString,
    });

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
        var states = grains.Select(_ => new GrainState<LedgerLikeState>(new LedgerLikeState { Spent = 1m })).ToArray();
        await Task.WhenAll(grains.Select((g, i) => _storage.WriteStateAsync("budget", g, states[i])));
        for (var i = 1; i < states.Length; i += 2)
        {
            states[i].ETag = "stale-" + i;
        }

        var outcomes = await Task.WhenAll(grains.Select(async (g, i) =>
        {
            states[i].State.Spent = 2m + i;
            try
            {
                await _storage.WriteStateAsync("budget", g, states[i]);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        for (var i = 0; i < grains.Length; i++)
        {
            var stored = new GrainState<LedgerLikeState>(new LedgerLikeState());
            await _otherSilo.ReadStateAsync("budget", grains[i], stored);
            Assert.Equal(i % 2 == 0, outcomes[i]);
            Assert.Equal(i % 2 == 0 ? 2m + i : 1m, stored.State.Spent);
        }
    }

    [StoreFact]
    public async Task The_full_grain_identity_is_a_unique_key_in_the_schema()
    {
        await _storage.ReadStateAsync("budget", NewGrain(), new GrainState<LedgerLikeState>(new LedgerLikeState()));

        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey::int2[], a.attnum))
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = 'grain_state'::regclass AND i.indisunique
            GROUP BY i.indexrelid
            """, connection);
        var uniqueKey = (string?)await command.ExecuteScalarAsync();
        Assert.Equal("service_id,grain_type,grain_key,state_name", uniqueKey);
    }

    [StoreFact]
    public async Task State_is_stored_as_the_exact_json_text_written()
    {
        var grain = NewGrain();
        var state = new LedgerLikeState { Spent = 1.50m, Notes = ["z", "a"] };
        await _storage.WriteStateAsync("budget", grain, new GrainState<LedgerLikeState>(state));

        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT payload::text FROM grain_state WHERE grain_key = @key", connection);
        command.Parameters.AddWithValue("key", grain.Key);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(state, GrainStateJson.DefaultOptions), (string?)await command.ExecuteScalarAsync());
    }

    [StoreFact]
    public async Task Silos_starting_together_apply_the_schema_once()
    {
        var silos = Enumerable.Range(0, 6).Select(_ => Open()).ToList();
        try
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reads = silos.Select(async silo =>
            {
                await gate.Task;
                await silo.ReadStateAsync("budget", NewGrain(), new GrainState<LedgerLikeState>(new LedgerLikeState()));
            }).ToList();
            gate.SetResult();
            await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(30));

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
