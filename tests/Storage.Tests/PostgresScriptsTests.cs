using Npgsql;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Storage.Tests;

/// <summary>The scripts of <c>deploy/sql/postgresql</c>, applied by the silo (embedded) and by <c>deploy/sql/apply.sh</c>.</summary>
[RequiresPostgres]
public sealed class PostgresScriptsTests
{
    [Fact]
    public void The_embedded_scripts_are_the_files_of_deploy_sql_in_name_order()
    {
        var folder = Path.Combine(RepositoryRoot.Find(), "deploy", "sql", "postgresql");
        var files = Directory.GetFiles(folder, "*.sql").Order(StringComparer.Ordinal)
            .Select(f => KeyValuePair.Create(Path.GetFileName(f), File.ReadAllText(f)))
            .ToList();

        Assert.Equal(["001-orleans-query.sql", "002-grain-storage.sql", "003-cluster-membership.sql"], files.Select(f => f.Key));
        Assert.Equal(files, PostgresScripts.All);
    }

    [StoreFact]
    public async Task Applying_twice_succeeds_and_keeps_the_stored_state()
    {
        await using var database = await FreshDatabaseAsync();
        await PostgresScripts.ApplyAsync(database.ConnectionString, CancellationToken.None);
        await ExecuteAsync(database, """
            INSERT INTO orleans_grain_state (service_id, type_and_state, grain_key, grain_id_n0, grain_id_n1, payload, version)
            VALUES ('s', 'tenant/budget', 'acme', 0, 0, '{"spent":1.50}', 7)
            """);
        var queries = await QueriesAsync(database);

        await PostgresScripts.ApplyAsync(database.ConnectionString, CancellationToken.None);

        Assert.Equal(queries, await QueriesAsync(database));
        Assert.Equal(
            [
                "CleanupDefunctSiloEntriesKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
                "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey",
                "ReadFromStorageKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "WriteToStorageKey",
            ],
            queries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("{\"spent\":1.50}|7", await ScalarAsync<string>(database, "SELECT payload::text || '|' || version FROM orleans_grain_state"));
    }

    [StoreFact]
    public async Task Silos_starting_together_on_a_fresh_database_all_apply_without_error()
    {
        await using var database = await FreshDatabaseAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var silos = Enumerable.Range(0, 8).Select(async _ =>
        {
            await gate.Task;
            await PostgresScripts.ApplyAsync(database.ConnectionString, CancellationToken.None);
        }).ToList();
        gate.SetResult();

        await Task.WhenAll(silos).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(12, (await QueriesAsync(database)).Count);
    }

    [StoreFact]
    public async Task Apply_sh_applies_what_the_silo_applies_and_may_run_again()
    {
        await using var bySilo = await FreshDatabaseAsync();
        await using var byCommand = await FreshDatabaseAsync();
        await PostgresScripts.ApplyAsync(bySilo.ConnectionString, CancellationToken.None);

        var first = await ApplySh.RunAsync(byCommand.LibpqConnectionString);
        var second = await ApplySh.RunAsync(byCommand.LibpqConnectionString);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("applied 3 scripts", second.Output, StringComparison.Ordinal);
        Assert.Equal(await QueriesAsync(bySilo), await QueriesAsync(byCommand));
        Assert.Equal(await PostgresSchema.UniqueKeyAsync(bySilo.ConnectionString, "orleans_grain_state"),
            await PostgresSchema.UniqueKeyAsync(byCommand.ConnectionString, "orleans_grain_state"));

        // The silo may start on a database the command prepared.
        await PostgresScripts.ApplyAsync(byCommand.ConnectionString, CancellationToken.None);
    }

    [Fact]
    public async Task Apply_sh_without_a_connection_string_prints_its_usage()
    {
        var run = await ApplySh.RunAsync(null);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("usage: bash deploy/sql/apply.sh", run.Output, StringComparison.Ordinal);
    }

    private static async Task<TemporaryDatabase> FreshDatabaseAsync()
    {
        var database = new PostgresFixture();
        await database.InitializeAsync();
        return new TemporaryDatabase(database);
    }

    private static async Task<Dictionary<string, string>> QueriesAsync(TemporaryDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT querykey, querytext FROM orleansquery", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            queries[reader.GetString(0)] = reader.GetString(1);
        }

        return queries;
    }

    private static async Task ExecuteAsync(TemporaryDatabase database, string sql) => await ScalarAsync<object>(database, sql);

    private static async Task<T> ScalarAsync<T>(TemporaryDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A database of one test, dropped at the end.</summary>
    private sealed class TemporaryDatabase(PostgresFixture database) : IAsyncDisposable
    {
        public string ConnectionString => database.ConnectionString;

        public string LibpqConnectionString => database.LibpqConnectionString;

        public async ValueTask DisposeAsync() => await database.DisposeAsync();
    }
}
