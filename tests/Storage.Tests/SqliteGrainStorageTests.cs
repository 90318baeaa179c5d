using Microsoft.Data.Sqlite;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansTenancy.Ledger;
using OrleansTenancy.Sql;

namespace OrleansTenancy.Storage.Tests;

public sealed class SqliteGrainStorageTests : GrainStorageContractTests, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tenancy-sqlite-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteGrainStorage _storage;

    // A second provider on the same file stands in for another process writing the same database.
    private readonly SqliteGrainStorage _otherProcess;

    public SqliteGrainStorageTests()
    {
        _storage = Open();
        _otherProcess = Open();
    }

    protected override IGrainStorage Storage => _storage;

    protected override IGrainStorage OtherSilo => _otherProcess;

    private string FilePath => Path.Combine(_folder, "nested", "tenancy.db");

    private SqliteGrainStorage Open() => new("sqlite-test", new SqliteGrainStorageOptions { DataSource = FilePath }, "storage-tests");

    public void Dispose()
    {
        _storage.Dispose();
        _otherProcess.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task State_and_etags_survive_a_new_provider_on_the_same_file()
    {
        var grains = Enumerable.Range(0, 50).Select(_ => NewGrain()).ToList();
        var etags = new Dictionary<GrainId, string?>();
        foreach (var (grain, index) in grains.Select((g, i) => (g, i)))
        {
            var state = NewState(new LedgerLikeState { Spent = index + 0.01m, Tokens = index });
            await _storage.WriteStateAsync(StateName, grain, state);
            etags[grain] = state.ETag;
        }

        _storage.Dispose();
        _otherProcess.Dispose();
        Assert.True(File.Exists(FilePath));

        using var reopened = Open();
        foreach (var (grain, index) in grains.Select((g, i) => (g, i)))
        {
            var state = await ReadAsync(reopened, grain);
            Assert.True(state.RecordExists);
            Assert.Equal(index + 0.01m, state.State.Spent);
            Assert.Equal(etags[grain], state.ETag);

            // The ETag read back is the one the store holds: a write with it goes through.
            await reopened.WriteStateAsync(StateName, grain, state);
        }
    }

    [Fact]
    public async Task A_conflict_names_the_grain_the_provider_and_both_etags()
    {
        var grain = NewGrain();
        var state = NewState();
        await _storage.WriteStateAsync(StateName, grain, state);
        var stored = state.ETag;
        state.ETag = "not-the-stored-etag";

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grain, state));

        Assert.Equal(stored, conflict.StoredEtag);
        Assert.Equal("not-the-stored-etag", conflict.CurrentEtag);
        Assert.Contains("'sqlite-test'", conflict.Message, StringComparison.Ordinal);
        Assert.Contains($"tenant/{grain.Key}", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_file_is_in_wal_mode_and_the_schema_is_applied_once()
    {
        await _storage.WriteStateAsync(StateName, NewGrain(), NewState());
        using var third = Open();
        await third.ReadStateAsync(StateName, NewGrain(), NewState());

        await using var connection = new SqliteConnection($"Data Source={FilePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE component = 'grain_storage'";
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Writes_of_many_grains_that_queue_together_commit_in_one_transaction()
    {
        var batcher = SqliteWriteBatcher.For(FilePath);
        await _storage.EnsureInitializedAsync(CancellationToken.None);
        var before = batcher.TransactionsCommitted;

        // While the file's write turn is held, the writes queue; they then share at most two transactions (the batcher may
        // already have taken the first one into a transaction that waits for the turn).
        Task[] writes;
        using (await SqliteWriteGate.EnterAsync(FilePath, CancellationToken.None))
        {
            writes = Enumerable.Range(0, 20).Select(_ => _storage.WriteStateAsync(StateName, NewGrain(), NewState())).ToArray();
        }

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(batcher.TransactionsCommitted - before, 1, 2);
    }

    [Fact]
    public async Task A_grain_state_write_and_a_ledger_row_queued_together_commit_in_one_transaction()
    {
        using var ledger = new SqliteUsageLedger(new SqliteLedgerOptions { DataSource = FilePath });
        await _storage.EnsureInitializedAsync(CancellationToken.None);
        await ledger.IsSettledAsync("acme", "warm-up");
        var batcher = SqliteWriteBatcher.For(FilePath);
        var (transactionsBefore, writesBefore) = (batcher.TransactionsCommitted, batcher.WritesCommitted);

        // A write held inside its transaction: whatever queues meanwhile goes into the next transaction, together.
        var inTransaction = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = batcher.RunAsync(SqliteFiles.ConnectionString(FilePath, TimeSpan.FromSeconds(30)), async _ =>
        {
            inTransaction.SetResult();
            await release.Task;
            return true;
        }, CancellationToken.None);
        await inTransaction.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var grain = NewGrain();
        var stateWrite = _storage.WriteStateAsync(StateName, grain, NewState(new LedgerLikeState { Spent = 0.25m }));
        var ledgerRow = ledger.RecordAsync(new UsageRecord
        {
            RequestId = "req-1",
            Tenant = "acme",
            Workspace = "main",
            Model = "openai/gpt-4o-mini",
            Status = UsageStatus.Ok,
            CostUsd = 0.25m,
            CreatedAt = DateTimeOffset.UnixEpoch,
        });
        release.SetResult();
        await Task.WhenAll(held, stateWrite, ledgerRow).WaitAsync(TimeSpan.FromSeconds(30));

        // Three writes through the file's one writer, in two transactions: the held one alone, then state and row together.
        Assert.Equal(3, batcher.WritesCommitted - writesBefore);
        Assert.Equal(2, batcher.TransactionsCommitted - transactionsBefore);
        Assert.Equal(0.25m, (await ReadAsync(_otherProcess, grain)).State.Spent);
        Assert.True(await ledger.IsSettledAsync("acme", "req-1"));
    }

    [Fact]
    public async Task A_stored_record_that_no_longer_fits_the_state_type_fails_the_read_naming_it()
    {
        var grain = NewGrain();
        await _storage.WriteStateAsync(StateName, grain, NewState());
        await using (var connection = new SqliteConnection($"Data Source={FilePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE grain_state SET payload = '{\"spent\": \"a lot\"}'";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _storage.ReadStateAsync(StateName, grain, NewState()));

        Assert.Contains($"tenant/{grain.Key}", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(LedgerLikeState), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_name_the_provider_and_the_setting()
    {
        var error = Assert.Throws<OrleansConfigurationException>(
            () => new SqliteGrainStorage("main", new SqliteGrainStorageOptions { DataSource = FilePath, BusyTimeout = TimeSpan.Zero }, "s"));
        Assert.Contains("SqliteGrainStorageOptions.BusyTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("'main'", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<OrleansConfigurationException>(
            () => new SqliteGrainStorage("main", new SqliteGrainStorageOptions { DataSource = "a.db;Mode=Memory" }, "s"));
        Assert.Contains("SqliteGrainStorageOptions.DataSource", error.Message, StringComparison.Ordinal);
    }
}
