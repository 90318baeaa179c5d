using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Ledger;
using OrleansTenancy.Runtime.Storage;
using OrleansTenancy.Runtime.Testing;
using OrleansTenancy.Tenancy.Registry;
using OrleansTenancy.TestSupport;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Tenants;

/// <summary>The tenant grain on the real stores: the SQLite file of the embedded default, and PostgreSQL.</summary>
public sealed class TenantGrainSqliteTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sqlite-silo-" + Guid.NewGuid().ToString("N"));
    private readonly TenantsFolder _tenants = new();

    public TenantGrainSqliteTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        _tenants.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<TestCluster> StartSilo(ManualTimeProvider time)
    {
        var file = Path.Combine(_folder, "tenancy.db");
        return TestClusterBuilder.Create()
            .WithSilos(1)
            .WithTimeProvider(time)
            .AddGrainsFrom(typeof(TenantGrain).Assembly)
            .ConfigureServices(services =>
            {
                services.AddSingleton<ITenantRegistrySource>(_tenants);
                services.AddSqliteGrainStorage("Default", o => o.DataSource = file);
                services.AddSqliteUsageLedger(o => o.DataSource = file);
            })
            .BuildAndStartAsync();
    }

    [Fact]
    public async Task The_sqlite_file_keeps_counters_reservations_and_ledger_across_a_silo_restart()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 5, 4, 9, 0, 0, TimeSpan.Zero));
        var slug = _tenants.AddTenant("daily_cap_usd: 2\nenforcement: hard\n");
        await using (var first = await StartSilo(time))
        {
            var grain = first.Client.GetGrain<ITenantGrain>(slug);
            for (var i = 0; i < 20; i++)
            {
                await grain.ReserveAsync(new ReservationRequest { RequestId = $"q{i}", Workspace = "main", Model = "m", EstimatedCostUsd = 0.05m, EstimatedTokens = 10 });
                await grain.SettleAsync(new SettleRequest { RequestId = $"q{i}", ActualCostUsd = 0.04m, PromptTokens = 5, CompletionTokens = 5 }, ExecutionDetails.WithStatus("ok"));
            }

            await grain.ReserveAsync(new ReservationRequest { RequestId = "open", Workspace = "main", Model = "m", EstimatedCostUsd = 1m, EstimatedTokens = 10 });
            await grain.ConfigureBudgetAsync(new BudgetLimits { MaxPerRequest = 1.5m });
        }

        await using var second = await StartSilo(time);
        var again = second.Client.GetGrain<ITenantGrain>(slug);
        var daily = (await again.GetStatusAsync()).Limits.Single(l => l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        Assert.Equal(0.80m, daily.Spent);
        Assert.Equal(1m, daily.Reserved); // a clean stop stores no cover, so only the open call is held
        Assert.Equal(0, (await again.GetStatusAsync()).HeldCovers);
        Assert.Equal(1.5m, (await again.GetBudgetOverrideAsync())!.MaxPerRequest);
        Assert.Equal(SettleResult.AlreadySettled, (await again.SettleAsync(new SettleRequest { RequestId = "q3", ActualCostUsd = 0.04m }, ExecutionDetails.WithStatus("ok"))).Result);
        Assert.False((await again.ReconcileAsync()).Changed);
        var ledger = second.Silos[0].Services.GetRequiredService<IUsageLedger>();
        Assert.Equal(20, (await ledger.ListExecutionsAsync(slug, 100, null)).Items.Count);
    }
}

[RequiresPostgres]
public sealed class TenantGrainPostgresTests : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly PostgresFixture _postgres;
    private readonly TenantsFolder _tenants = new();

    public TenantGrainPostgresTests(PostgresFixture postgres) => _postgres = postgres;

    public void Dispose() => _tenants.Dispose();

    [StoreFact]
    public async Task On_postgres_concurrent_flows_on_two_silos_never_exceed_the_cap_and_counters_equal_the_ledger()
    {
        var slug = _tenants.AddTenant("daily_cap_usd: 2\nenforcement: hard\n");
        await using var cluster = await TestClusterBuilder.Create()
            .WithSilos(2)
            .AddGrainsFrom(typeof(TenantGrain).Assembly)
            .ConfigureServices(services =>
            {
                services.AddSingleton<ITenantRegistrySource>(_tenants);
                services.AddPostgresGrainStorage("Default", o => o.ConnectionString = _postgres.ConnectionString);
                services.AddPostgresUsageLedger(o => o.ConnectionString = _postgres.ConnectionString);
            })
            .BuildAndStartAsync();
        var grain = cluster.Client.GetGrain<ITenantGrain>(slug);
        var settled = 0m;
        var gate = new Lock();

        await Task.WhenAll(Enumerable.Range(0, 400).Select(async i =>
        {
            var decision = await grain.ReserveAsync(new ReservationRequest { RequestId = $"p{i}", Workspace = "main", Model = "m", EstimatedCostUsd = 0.01m, EstimatedTokens = 10 });
            if (decision.IsGranted)
            {
                await grain.SettleAsync(new SettleRequest { RequestId = $"p{i}", ActualCostUsd = 0.01m, PromptTokens = 3, CompletionTokens = 4 }, ExecutionDetails.WithStatus("ok"));
                lock (gate)
                {
                    settled += 0.01m;
                }
            }
        }));

        Assert.Equal(2.00m, settled);
        Assert.False((await grain.ReconcileAsync()).Changed);
        var ledger = cluster.Silos[0].Services.GetRequiredService<IUsageLedger>();
        var now = cluster.TimeProvider.GetUtcNow();
        var totals = await ledger.GetTotalsAsync(slug, null, now.AddDays(-2), now.AddDays(2));
        Assert.Equal(2.00m, totals.CostUsd);
        Assert.Equal(200, totals.Executions);
    }
}
