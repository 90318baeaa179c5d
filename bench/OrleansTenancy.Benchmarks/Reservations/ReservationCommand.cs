using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Ledger;
using OrleansTenancy.Storage;
using OrleansTenancy.Tenancy.Registry;
using TenantDefinition = OrleansTenancy.Tenancy.Registry.TenantDefinition;
using BudgetLimits = OrleansTenancy.Tenancy.BudgetLimits;
using Enforcement = OrleansTenancy.Tenancy.Enforcement;

namespace OrleansTenancy.Benchmarks.Reservations;

/// <summary>
/// <c>reservations --store sqlite|postgres|postgres-batched|memory --tenants N --duration S --concurrency C [--warmup S] [--postgres CONN]</c>:
/// durable reservations per second through <see cref="ITenantGrain"/> on one silo, then the naive PostgreSQL
/// UPDATE baseline with the same tenants and concurrency, in the same process run. <c>postgres</c> stores grain state
/// through Orleans' AdoNet provider (the product's PostgreSQL storage), <c>postgres-batched</c> through the batched
/// provider kept as the alternative to measure against it.
/// </summary>
public static class ReservationCommand
{
    private const decimal Estimate = 0.002m;
    private const decimal Actual = 0.0015m;
    private static readonly ExecutionDetails Ok = new() { Status = UsageStatus.Ok, Model = "openai/gpt-4o-mini", LatencyMs = 800 };

    public static async Task<int> RunAsync(Arguments args)
    {
        var store = args.Get("store", "sqlite");
        if (store is not ("sqlite" or "postgres" or "postgres-batched" or "memory"))
        {
            Console.Error.WriteLine($"--store '{store}' is not known; use sqlite, postgres, postgres-batched or memory (memory: no storage I/O, a diagnostic).");
            return 2;
        }

        var tenantCount = args.GetInt("tenants", 1);
        var duration = TimeSpan.FromSeconds(args.GetInt("duration", 10));
        var warmUp = TimeSpan.FromSeconds(args.GetInt("warmup", 2));
        var concurrency = args.GetInt("concurrency", 64);
        var server = args.Get("postgres", "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres");
        var runId = "bench_" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..6];
        var tenants = Enumerable.Range(0, tenantCount).Select(i => $"tenant-{i:D5}").ToArray();

        // Each grain phase gets its own tenants, so that one phase's open reservations and finished ids do not
        // weigh on the next; the baseline uses the plain names.
        var reserveTenants = tenants.Select(t => "reserve-" + t).ToArray();
        var pairTenants = tenants.Select(t => "pair-" + t).ToArray();
        var behindTenants = tenants.Select(t => "behind-" + t).ToArray();

        Console.WriteLine($"reservations: store={store} tenants={tenantCount} concurrency={concurrency} warmup={warmUp.TotalSeconds}s duration={duration.TotalSeconds}s database={runId} cores={Environment.ProcessorCount}");
        // The server is shared (max_connections 200 on the dev instance): the grain side gets two pools of half the
        // concurrency each (state, ledger), the baseline one pool of the full concurrency; they never run at once.
        await using var database = await ScratchDatabase.CreateAsync(server, runId, concurrency);
        var sqliteFolder = Directory.CreateTempSubdirectory("bench-sqlite-");
        try
        {
            var results = new List<(string Name, LoadResult Result)>();
            using var writes = new StorageWriteMonitor();
            var grainConnection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = Math.Max(4, concurrency / 2) }.ConnectionString;
            await using (var silo = await StartSiloAsync(store, [.. reserveTenants, .. pairTenants, .. behindTenants], grainConnection, sqliteFolder.FullName))
            {
                var grains = reserveTenants.Select(t => silo.Grains.GetGrain<ITenantGrain>(t)).ToArray();
                var pairGrains = pairTenants.Select(t => silo.Grains.GetGrain<ITenantGrain>(t)).ToArray();
                var behindGrains = behindTenants.Select(t => silo.Grains.GetGrain<ITenantGrain>(t)).ToArray();
                await Task.WhenAll(grains.Concat(pairGrains).Concat(behindGrains).Select(g => g.GetStatusAsync()));

                results.Add(("grain: reserve only", await LoadRunner.RunAsync(concurrency, warmUp, duration, async (worker, i) =>
                {
                    var decision = await grains[Pick(worker, i, tenantCount)].ReserveAsync(Request($"r-{worker}-{i}"));
                    return decision.IsGranted;
                }, writes)));

                results.Add(("grain: reserve + settle", await LoadRunner.RunAsync(concurrency, warmUp, duration, async (worker, i) =>
                {
                    var grain = pairGrains[Pick(worker, i, tenantCount)];
                    var id = $"p-{worker}-{i}";
                    var decision = await grain.ReserveAsync(Request(id));
                    if (!decision.IsGranted)
                    {
                        return false;
                    }

                    var settled = await grain.SettleAsync(Settlement(id), Ok);
                    return settled.Changed;
                }, writes)));

                // As the router does it: the caller goes on once its settlement is sent; the settlement is stored
                // behind it, in the same writes as the next reservations. Every settlement must succeed.
                var behind = new System.Collections.Concurrent.ConcurrentQueue<Task<SettleOutcome>>();
                results.Add(("grain: reserve, settle sent behind", await LoadRunner.RunAsync(concurrency, warmUp, duration, async (worker, i) =>
                {
                    var grain = behindGrains[Pick(worker, i, tenantCount)];
                    var id = $"b-{worker}-{i}";
                    var decision = await grain.ReserveAsync(Request(id));
                    if (decision.IsGranted)
                    {
                        behind.Enqueue(grain.SettleAsync(Settlement(id), Ok));
                    }

                    return decision.IsGranted;
                }, writes)));
                var outcomes = await Task.WhenAll(behind);
                if (outcomes.Count(o => o.Changed) != outcomes.Length)
                {
                    Console.Error.WriteLine($"{outcomes.Length - outcomes.Count(o => o.Changed)} of {outcomes.Length} settlements sent behind changed nothing; the figures are not valid.");
                    return 1;
                }
            }

            // Every settled pair must have reached the usage ledger (a failing ledger write keeps rows in the outbox
            // and would make the figures meaningless); the silo flushed its outboxes when it stopped.
            var ledgerRows = await LedgerRows.CountAsync(store, database.DataSource, Path.Combine(sqliteFolder.FullName, store == "memory" ? "ledger.db" : "tenancy.db"));
            var settledPairs = results[^1].Result.Granted + results[^2].Result.Granted;
            Console.WriteLine($"usage ledger rows after the run: {ledgerRows} (settled in the measured windows of the two settling phases: {settledPairs}; warm-up and tail calls add to the rows)");
            if (ledgerRows < settledPairs)
            {
                Console.Error.WriteLine($"The usage ledger holds {ledgerRows} rows but {settledPairs} pairs were settled: ledger writes failed (see the warnings above); the figures are not valid.");
                return 1;
            }

            var naive = new NaiveBudget(database.DataSource);
            await naive.CreateAsync(tenants, cap: 1_000_000_000m);
            results.Add(("naive: UPDATE ... WHERE spent + x <= cap", await LoadRunner.RunAsync(concurrency, warmUp, duration, (worker, i) =>
                naive.TryChargeAsync(tenants[Pick(worker, i, tenantCount)], Estimate))));

            Report.Print(store, tenantCount, concurrency, duration, results);
            return results.Any(r => r.Result.Errors > 0) ? 1 : 0;
        }
        finally
        {
            sqliteFolder.Delete(recursive: true);
        }
    }

    private static SettleRequest Settlement(string id) => new() { RequestId = id, ActualCostUsd = Actual, PromptTokens = 400, CompletionTokens = 200 };

    // Ids made up per call, as the gateway makes them for requests without X-Request-Id: no ledger lookup.
    private static ReservationRequest Request(string id) =>
        new() { RequestId = id, Workspace = "main", Model = "openai/gpt-4o-mini", EstimatedCostUsd = Estimate, EstimatedTokens = 600, FreshRequestId = true };

    /// <summary>Spreads workers over tenants without a shared random source (each worker walks the tenants from its own offset).</summary>
    private static int Pick(int worker, long iteration, int tenantCount) =>
        tenantCount == 1 ? 0 : (int)((worker * 7919L + iteration * 104_729L) % tenantCount);

    private static Task<BenchSilo> StartSiloAsync(string store, string[] tenants, string connectionString, string sqliteFolder)
    {
        var registry = TenantRegistry.FromDefinitions(tenants.Select(BenchTenants.Definition));
        return BenchSilo.StartAsync(silo =>
        {
            var services = silo.Services;
            services.AddSingleton<ITenantRegistrySource>(new FixedTenantRegistrySource(registry));
            switch (store)
            {
                case "postgres":
                    silo.AddPostgresGrainStorageAsDefault(connectionString);
                    services.AddPostgresUsageLedger(o => o.ConnectionString = connectionString);
                    break;
                case "postgres-batched":
                    silo.AddBatchedPostgresGrainStorageAsDefault(o => o.ConnectionString = connectionString);
                    services.AddPostgresUsageLedger(o => o.ConnectionString = connectionString);
                    break;
                case "memory":
                    silo.AddMemoryGrainStorageAsDefault();
                    services.AddSingleton<Orleans.Storage.IGrainStorageSerializer>(JsonGrainStateSerializer.Default);
                    services.AddSqliteUsageLedger(o => o.DataSource = Path.Combine(sqliteFolder, "ledger.db"));
                    break;
                default:
                    var file = Path.Combine(sqliteFolder, "tenancy.db");
                    silo.AddSqliteGrainStorageAsDefault(o => o.DataSource = file);
                    services.AddSqliteUsageLedger(o => o.DataSource = file);
                    break;
            }
        });
    }
}

/// <summary>Tenants for the benchmarks: hard enforcement, with caps far above what a run can spend.</summary>
public static class BenchTenants
{
    public static TenantDefinition Definition(string slug) => new()
    {
        Slug = slug,
        DisplayName = slug,
        Workspaces = new Dictionary<string, WorkspaceDefinition>(StringComparer.Ordinal)
        {
            ["main"] = new("main", "main", [], RoutingSettings.Empty, new BudgetLimits(), PolicySettings.Empty),
        },
        Budgets = new BudgetLimits { DailyCapUsd = 1_000_000m, MonthlyCapUsd = 10_000_000m, Enforcement = Enforcement.Hard },
    };
}

/// <summary>A PostgreSQL database created for one run and dropped after it.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private ScratchDatabase(string server, string name, string connectionString)
    {
        _server = server;
        _name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<ScratchDatabase> CreateAsync(string server, string name, int maxPoolSize)
    {
        await using (var admin = NpgsqlDataSource.Create(server))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = maxPoolSize }.ConnectionString;
        return new ScratchDatabase(server, name, connection);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(_server);
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }
}
