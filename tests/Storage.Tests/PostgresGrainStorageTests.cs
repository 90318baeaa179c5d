using System.Data;
using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Storage.Tests;

/// <summary>Two silos on one fresh database, each with Orleans' AdoNet provider registered by <c>AddPostgresGrainStorageAsDefault</c>.</summary>
public sealed class PostgresSilosFixture : IAsyncLifetime
{
    public PostgresFixture Database { get; } = new();

    public StorageSilo First { get; private set; } = null!;

    public StorageSilo Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        if (PostgresFixture.Skipped)
        {
            return;
        }

        // Started together, so both apply deploy/sql at the same moment.
        var silos = await Task.WhenAll(
            StorageSilo.StartAsync(silo => silo.AddPostgresGrainStorageAsDefault(Database.ConnectionString)),
            StorageSilo.StartAsync(silo => silo.AddPostgresGrainStorageAsDefault(Database.ConnectionString)));
        (First, Second) = (silos[0], silos[1]);
    }

    public async Task DisposeAsync()
    {
        if (First is not null)
        {
            await First.DisposeAsync();
        }

        if (Second is not null)
        {
            await Second.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}

/// <summary>Orleans' AdoNet provider (invariant Npgsql) on the schema and statements of <c>deploy/sql/postgresql</c>.</summary>
[RequiresPostgres]
public sealed class PostgresGrainStorageTests(PostgresSilosFixture silos) : GrainStorageContractTests, IClassFixture<PostgresSilosFixture>
{
    private const string Provider = "Default";

    protected override IGrainStorage Storage => silos.First.Storage(Provider);

    protected override IGrainStorage OtherSilo => silos.Second.Storage(Provider);

    private string ConnectionString => silos.Database.ConnectionString;

    [StoreFact]
    public async Task Two_first_inserts_of_one_grain_racing_on_the_server_exactly_one_succeeds()
    {
        // Orleans' published PostgreSQL script stores a first state with INSERT ... SELECT ... WHERE NOT EXISTS (SELECT 1
        // FROM OrleansStorage WHERE <grain>) and has no unique key on the grain identity (only a non-unique index on two
        // hashes). Under READ COMMITTED the second INSERT evaluates NOT EXISTS against a snapshot that cannot see the
        // first one's uncommitted row, finds nothing, and inserts too; nothing in the table stops it. The table then
        // holds two states for one grain, and every later read fails ("Sequence contains more than one element"): the
        // grain cannot activate again. A duplicate activation during a membership change makes exactly these two first
        // writes.
        //
        // The race is forced: both silos read "no record"; the first silo's write is the provider's own statement with
        // the provider's parameters, run in a transaction held open (a commit that has not happened yet); the second
        // silo writes through its provider meanwhile. Here the primary key makes the second insert wait for the first
        // transaction and then insert nothing, so its writer gets InconsistentStateException. (With Orleans' script the
        // second write would return at once, successful, and two rows would remain.)
        var grain = NewGrain();
        var first = await ReadAsync(Storage, grain);
        var second = await ReadAsync(OtherSilo, grain);
        Assert.False(first.RecordExists);
        Assert.False(second.RecordExists);
        first.State.Tokens = 1;
        second.State.Tokens = 2;

        await using var firstSilo = new NpgsqlConnection(ConnectionString);
        await firstSilo.OpenAsync();
        Task<bool> secondWrite;
        await using (var transaction = await firstSilo.BeginTransactionAsync())
        {
            Assert.Equal(1, await FirstWriteAsProviderAsync(firstSilo, transaction, grain, first.State));

            secondWrite = Succeeds(OtherSilo.WriteStateAsync(StateName, grain, second));
            var blocked = Eventually.UntilAsync(async () => await BlockedOnATransactionAsync() == 1, () => "the second insert waiting for the first");
            await Task.WhenAny(secondWrite, blocked);
            Assert.False(secondWrite.IsCompleted, "The second first-insert returned while the first was uncommitted: nothing held it back.");
            await blocked;
            await transaction.CommitAsync();
        }

        Assert.False(await secondWrite.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM orleans_grain_state WHERE grain_key = @key", grain.Key.ToString()!));
        var stored = await ReadAsync(OtherSilo, grain);
        Assert.Equal(1, stored.State.Tokens);
        Assert.Equal("1", stored.ETag);
    }

    [StoreFact]
    public async Task The_stored_identity_is_service_grain_type_state_name_and_key_and_it_is_the_primary_key()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync(StateName, grain, NewState());

        Assert.Equal("service_id,type_and_state,grain_key,grain_id_n0,grain_id_n1", await PostgresSchema.UniqueKeyAsync(ConnectionString, "orleans_grain_state"));
        Assert.Equal($"{StorageSilo.ServiceId}|tenant/{StateName}", await ScalarAsync<string>(
            "SELECT service_id || '|' || type_and_state FROM orleans_grain_state WHERE grain_key = @key", grain.Key.ToString()!));
    }

    [StoreFact]
    public async Task State_is_stored_as_readable_json_written_by_the_shared_serializer()
    {
        var grain = NewGrain();
        var state = new LedgerLikeState { Spent = 1.50m, Notes = ["z", "a"] };
        await Storage.WriteStateAsync(StateName, grain, NewState(state));

        Assert.Equal(JsonGrainStateSerializer.Default.SerializeToText(state),
            await ScalarAsync<string>("SELECT payload::text FROM orleans_grain_state WHERE grain_key = @key", grain.Key.ToString()!));
    }

    [StoreFact]
    public async Task A_clear_keeps_a_tombstone_so_that_no_version_is_handed_out_twice()
    {
        var grain = NewGrain();
        var state = NewState(new LedgerLikeState { Spent = 2m });
        await Storage.WriteStateAsync(StateName, grain, state);
        var written = state.ETag;
        await Storage.ClearStateAsync(StateName, grain, state);
        var cleared = state.ETag;
        await Storage.WriteStateAsync(StateName, grain, state);

        Assert.Equal(["1", "2", "3"], new[] { written!, cleared!, state.ETag! });
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM orleans_grain_state WHERE grain_key = @key", grain.Key.ToString()!));
    }

    [StoreFact]
    public async Task The_version_wraps_at_the_end_of_the_32_bit_range_instead_of_failing()
    {
        // The provider's ETag is a 32-bit integer; a grain written a thousand times a second would reach the end in 25 days.
        var grain = NewGrain();
        await Storage.WriteStateAsync(StateName, grain, NewState());
        await ScalarAsync<int>("UPDATE orleans_grain_state SET version = 2147483647 WHERE grain_key = @key RETURNING version", grain.Key.ToString()!);

        var state = await ReadAsync(Storage, grain);
        Assert.Equal("2147483647", state.ETag);
        await Storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("-2147483648", state.ETag);
        await Storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("-2147483647", state.ETag);
        Assert.Equal("-2147483647", (await ReadAsync(OtherSilo, grain)).ETag);
    }

    [StoreFact]
    public Task A_duplicate_activation_in_another_silo_loses_no_update() =>
        DuplicateActivations.AssertNoUpdateIsLostAsync(silos.First, silos.Second);

    /// <summary>Runs the stored WriteToStorageKey statement with the parameters Orleans' provider sends for a first write.</summary>
    private static async Task<int> FirstWriteAsProviderAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, GrainId grain, LedgerLikeState state)
    {
        string statement;
        await using (var query = new NpgsqlCommand("SELECT querytext FROM orleansquery WHERE querykey = 'WriteToStorageKey'", connection, transaction))
        {
            statement = (string)(await query.ExecuteScalarAsync())!;
        }

        await using var write = new NpgsqlCommand(statement, connection, transaction);
        write.Parameters.Add(new NpgsqlParameter("GrainIdHash", DbType.Int32) { Value = 0 });
        write.Parameters.Add(new NpgsqlParameter("GrainIdN0", DbType.Int64) { Value = 0L });
        write.Parameters.Add(new NpgsqlParameter("GrainIdN1", DbType.Int64) { Value = 0L });
        write.Parameters.Add(new NpgsqlParameter("GrainTypeHash", DbType.Int32) { Value = 0 });
        write.Parameters.Add(new NpgsqlParameter("GrainTypeString", DbType.String) { Value = $"{grain.Type}/{StateName}" });
        write.Parameters.Add(new NpgsqlParameter("GrainIdExtensionString", DbType.String) { Value = grain.Key.ToString() });
        write.Parameters.Add(new NpgsqlParameter("ServiceId", DbType.String) { Value = StorageSilo.ServiceId });
        write.Parameters.Add(new NpgsqlParameter("GrainStateVersion", DbType.Int32) { Value = DBNull.Value });
        write.Parameters.Add(new NpgsqlParameter("PayloadBinary", DbType.Binary) { Value = JsonGrainStateSerializer.Default.Serialize(state).ToArray() });
        return (int)(await write.ExecuteScalarAsync())!;
    }

    // A backend waiting for another transaction to end holds an ungranted lock on that transaction's id.
    private Task<long> BlockedOnATransactionAsync() =>
        ScalarAsync<long>("""
            SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'transactionid' AND NOT l.granted AND a.datname = current_database()
            """);

    private async Task<T> ScalarAsync<T>(string sql, string? key = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (key is not null)
        {
            command.Parameters.AddWithValue("key", key);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
