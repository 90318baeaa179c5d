using Microsoft.Data.Sqlite;
using OrleansTenancy.Sql;

namespace OrleansTenancy.Storage.Tests.Sql;

public sealed class SqliteWriteBatcherTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"batcher-{Guid.NewGuid():N}.db");
    private string _connectionString = null!;

    public async Task InitializeAsync()
    {
        _connectionString = SqliteFiles.ConnectionString(_file, TimeSpan.FromSeconds(5));
        await using var connection = await SqliteFiles.OpenAsync(_connectionString, CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE rows (name TEXT PRIMARY KEY);";
        await command.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_file)!, Path.GetFileName(_file) + "*"))
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    private Task<bool> Insert(SqliteWriteBatcher batcher, string name, bool thenFail = false) =>
        batcher.RunAsync(_connectionString, async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO rows (name) VALUES ($name)";
            command.Parameters.AddWithValue("$name", name);
            await command.ExecuteNonQueryAsync();
            return thenFail ? throw new InvalidOperationException($"write {name} refused") : true;
        }, CancellationToken.None);

    private async Task<string[]> Rows()
    {
        await using var connection = await SqliteFiles.OpenAsync(_connectionString, CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM rows ORDER BY name";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return [.. names];
    }

    [Fact]
    public async Task Writes_that_queue_behind_a_commit_share_the_next_transaction()
    {
        var batcher = SqliteWriteBatcher.For(_file);
        var before = batcher.TransactionsCommitted;

        // While the file's write turn is held, the batcher can take at most one batch into a transaction that waits;
        // everything queued after it goes into the next one.
        Task<bool>[] writes;
        using (await SqliteWriteGate.EnterAsync(_file, CancellationToken.None))
        {
            writes = Enumerable.Range(0, 20).Select(i => Insert(batcher, $"row-{i:D2}")).ToArray();
        }

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.InRange(batcher.TransactionsCommitted - before, 1, 2);
        Assert.Equal(20, (await Rows()).Length);
    }

    [Fact]
    public async Task A_write_that_fails_is_undone_alone_and_its_caller_gets_the_error()
    {
        var batcher = SqliteWriteBatcher.For(_file);
        Task<bool> first, failing, last;
        using (await SqliteWriteGate.EnterAsync(_file, CancellationToken.None))
        {
            first = Insert(batcher, "a");
            failing = Insert(batcher, "b", thenFail: true);
            last = Insert(batcher, "c");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("write b refused", error.Message);
        Assert.True(await first);
        Assert.True(await last);
        Assert.Equal(["a", "c"], await Rows());
    }

    [Fact]
    public async Task A_write_alone_in_its_transaction_that_fails_is_undone_and_the_next_write_commits()
    {
        var batcher = SqliteWriteBatcher.For(_file);
        var before = batcher.TransactionsCommitted;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Insert(batcher, "alone", thenFail: true).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await Insert(batcher, "next").WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("write alone refused", error.Message);
        Assert.Equal(["next"], await Rows());
        Assert.Equal(1, batcher.TransactionsCommitted - before);
    }

    [Fact]
    public async Task Any_spelling_of_the_path_gives_the_same_batcher()
    {
        var spelledOtherwise = Path.Combine(Path.GetDirectoryName(_file)!, ".", Path.GetFileName(_file));

        Assert.Same(SqliteWriteBatcher.For(_file), SqliteWriteBatcher.For(spelledOtherwise));
        Assert.True(await Insert(SqliteWriteBatcher.For(spelledOtherwise), "x"));
    }
}
