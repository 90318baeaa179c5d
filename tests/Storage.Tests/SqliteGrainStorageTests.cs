using Microsoft.Data.Sqlite;
using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Runtime.Tests.Storage;

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

    protected override IGrainStorage CreateSecondInstance() => _otherProcess;

    private string FilePath => Path.Combine(_folder, "nested", "tenancy.db");

    private SqliteGrainStorage Open() => new("sqlite-test", new SqliteStorageOptions { DataSource = FilePath });

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
    public async Task State_survives_closing_and_reopening_the_file()
    {
        var grains = Enumerable.Range(0, 50).Select(_ => NewGrain()).ToList();
        var etags = new Dictionary<GrainIdentity, string?>();
        foreach (var (grain, index) in grains.Select((g, i) => (g, i)))
        {
            var state = new GrainState<LedgerLikeState>(new LedgerLikeState { Spent = index + 0.01m, Tokens = index });
            await _storage.WriteStateAsync("budget", grain, state);
            etags[grain] = state.ETag;
        }

        _storage.Dispose();
        _otherProcess.Dispose();
        Assert.True(File.Exists(FilePath));

        using var reopened = Open();
        foreach (var (grain, index) in grains.Select((g, i) => (g, i)))
        {
            var state = new GrainState<LedgerLikeState>(new LedgerLikeState());
            await reopened.ReadStateAsync("budget", grain, state);
            Assert.Equal(index + 0.01m, state.State.Spent);
            Assert.Equal(etags[grain], state.ETag);
            await reopened.WriteStateAsync("budget", grain, state);
        }
    }

    [Fact]
    public async Task The_file_is_in_wal_mode_and_the_schema_is_applied_once()
    {
        await _storage.WriteStateAsync("budget", NewGrain(), new GrainState<LedgerLikeState>(new LedgerLikeState()));
        using var third = Open();
        await third.ReadStateAsync("budget", NewGrain(), new GrainState<LedgerLikeState>(new LedgerLikeState()));

        await using var connection = new SqliteConnection($"Data Source={FilePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE component = 'grain_storage'";
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public void Invalid_options_name_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => new SqliteGrainStorage("main", new SqliteStorageOptions { DataSource = FilePath, BusyTimeout = TimeSpan.Zero }));
        Assert.Contains("SqliteStorageOptions.BusyTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("'main'", error.Message, StringComparison.Ordinal);
    }
}
