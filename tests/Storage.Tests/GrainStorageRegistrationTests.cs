using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Storage.Tests;

/// <summary>The providers as a silo gets them: registered by name on the silo builder, started by the silo.</summary>
[RequiresPostgres]
public sealed class GrainStorageRegistrationTests(PostgresFixture database) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly PostgresFixture _database = database;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tenancy-silo-" + Guid.NewGuid().ToString("N"));

    private string File => Path.Combine(_folder, "tenancy.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [StoreFact]
    public async Task Each_provider_resolves_by_its_name_and_stores_where_its_name_says()
    {
        await using var silo = await StorageSilo.StartAsync(builder => builder
            .AddSqliteGrainStorageAsDefault(o => o.DataSource = File)
            .AddSqliteGrainStorage("archive", o => o.DataSource = Path.Combine(_folder, "archive.db"))
            .AddPostgresGrainStorage("pg", _database.ConnectionString)
            .AddBatchedPostgresGrainStorage("batched", o => o.ConnectionString = _database.ConnectionString));

        var byDefault = Assert.IsType<SqliteGrainStorage>(silo.Storage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
        var archive = Assert.IsType<SqliteGrainStorage>(silo.Storage("archive"));
        Assert.Equal(File, byDefault.FilePath);
        Assert.Equal(StorageSilo.ServiceId, byDefault.ServiceId);
        Assert.Equal(Path.Combine(_folder, "archive.db"), archive.FilePath);
        Assert.Same(byDefault, silo.Services.GetRequiredService<IGrainStorage>());
        Assert.IsType<BatchedPostgresGrainStorage>(silo.Storage("batched"));

        // The silo opened every store as it started, before any grain asked.
        Assert.True(System.IO.File.Exists(File));
        Assert.True(System.IO.File.Exists(Path.Combine(_folder, "archive.db")));
        Assert.Equal(12L, await CountAsync("SELECT COUNT(*) FROM orleansquery"));
        Assert.Equal(0L, await CountAsync("SELECT COUNT(*) FROM grain_state"));

        var grain = GrainId.Create("tenant", "acme-" + Guid.NewGuid().ToString("N"));
        await silo.Storage("pg").WriteStateAsync("budget", grain, new TestGrainState<LedgerLikeState>(new LedgerLikeState { Tokens = 1 }));
        await silo.Storage("batched").WriteStateAsync("budget", grain, new TestGrainState<LedgerLikeState>(new LedgerLikeState { Tokens = 2 }));
        Assert.Equal(1L, await CountAsync("SELECT COUNT(*) FROM orleans_grain_state"));
        Assert.Equal(1L, await CountAsync("SELECT COUNT(*) FROM grain_state"));
    }

    [StoreFact]
    public async Task The_effective_options_are_logged_at_start_with_the_password_redacted()
    {
        var logs = new CapturedLogs();
        var connectionString = _database.ConnectionString + ";Password=hunter2-secret";
        await using (await StorageSilo.StartAsync(builder => builder
            .AddSqliteGrainStorageAsDefault(o => o.DataSource = File)
            .AddPostgresGrainStorage("pg", connectionString)
            .AddBatchedPostgresGrainStorage("batched", o => o.ConnectionString = connectionString), logs))
        {
        }

        var all = string.Join("\n", logs.Messages);
        Assert.DoesNotContain("hunter2-secret", all, StringComparison.Ordinal);
        Assert.Contains(logs.Messages, m => m.Contains(nameof(SqliteGrainStorageOptions), StringComparison.Ordinal) && m.Contains(File, StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains(nameof(PostgresGrainStorageOptions), StringComparison.Ordinal) && m.Contains("ApplyScriptsAtStart", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains(nameof(BatchedPostgresGrainStorageOptions), StringComparison.Ordinal) && m.Contains("grain_state", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains("applied 3 scripts of deploy/sql/postgresql", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task With_scripts_off_at_start_a_silo_needs_the_database_prepared_by_apply_sh()
    {
        var fresh = new PostgresFixture();
        await fresh.InitializeAsync();
        try
        {
            void Configure(Orleans.Hosting.ISiloBuilder builder) => builder.AddPostgresGrainStorage("pg", o =>
            {
                o.ConnectionString = fresh.ConnectionString;
                o.ApplyScriptsAtStart = false;
            });

            var error = await StartFailureAsync(Configure);
            Assert.Contains("orleansquery", error, StringComparison.Ordinal);

            var apply = await ApplySh.RunAsync(fresh.LibpqConnectionString);
            Assert.True(apply.ExitCode == 0, apply.Output);
            await using var silo = await StorageSilo.StartAsync(Configure);
            var grain = GrainId.Create("tenant", "acme");
            await silo.Storage("pg").WriteStateAsync("budget", grain, new TestGrainState<LedgerLikeState>(new LedgerLikeState { Tokens = 4 }));
            var read = new TestGrainState<LedgerLikeState>(new LedgerLikeState());
            await silo.Storage("pg").ReadStateAsync("budget", grain, read);
            Assert.Equal(4, read.State.Tokens);
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_silo_with_invalid_sqlite_options_does_not_start_and_the_error_names_the_setting()
    {
        var error = await StartFailureAsync(builder => builder.AddSqliteGrainStorageAsDefault(o => o.BusyTimeout = TimeSpan.Zero));

        Assert.Contains("SqliteGrainStorageOptions.BusyTimeout", error, StringComparison.Ordinal);
        Assert.Contains("'Default'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_with_postgres_storage_and_no_connection_string_does_not_start_and_the_error_names_the_setting()
    {
        var adoNet = await StartFailureAsync(builder => builder.AddPostgresGrainStorage("pg", ""));
        var batched = await StartFailureAsync(builder => builder.AddBatchedPostgresGrainStorage("pg", _ => { }));

        Assert.Contains("PostgresGrainStorageOptions.ConnectionString", adoNet, StringComparison.Ordinal);
        Assert.Contains("BatchedPostgresGrainStorageOptions.ConnectionString", batched, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_whose_postgres_server_is_unreachable_does_not_start_and_the_error_says_what_to_check()
    {
        var error = await StartFailureAsync(builder => builder.AddPostgresGrainStorage("pg", "Host=127.0.0.1;Port=1;Database=tenancy;Timeout=2"));

        Assert.Contains("Grain storage 'pg'", error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1/tenancy", error, StringComparison.Ordinal);
        Assert.Contains("deploy/sql/apply.sh", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grain_keeps_its_state_in_the_sqlite_file_across_a_silo_restart()
    {
        var key = "counter-" + Guid.NewGuid().ToString("N");
        await using (var silo = await StorageSilo.StartAsync(builder => builder.AddSqliteGrainStorageAsDefault(o => o.DataSource = File)))
        {
            await silo.Grains.GetGrain<ICounterGrain>(key).Add(5);
            Assert.Equal(12, await silo.Grains.GetGrain<ICounterGrain>(key).Add(7));
        }

        await using (var restarted = await StorageSilo.StartAsync(builder => builder.AddSqliteGrainStorageAsDefault(o => o.DataSource = File)))
        {
            Assert.Equal(12, await restarted.Grains.GetGrain<ICounterGrain>(key).Current());
            Assert.Equal(13, await restarted.Grains.GetGrain<ICounterGrain>(key).Add(1));
        }
    }

    [Fact]
    public async Task A_duplicate_activation_on_the_same_sqlite_file_loses_no_update()
    {
        await using var first = await StorageSilo.StartAsync(builder => builder.AddSqliteGrainStorageAsDefault(o => o.DataSource = File));
        await using var second = await StorageSilo.StartAsync(builder => builder.AddSqliteGrainStorageAsDefault(o => o.DataSource = File));

        await DuplicateActivations.AssertNoUpdateIsLostAsync(first, second);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> StartFailureAsync(Action<Orleans.Hosting.ISiloBuilder> configure)
    {
        using var host = StorageSilo.Build(configure);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync().WaitAsync(TimeSpan.FromMinutes(1)));
        return error.ToString();
    }
}
