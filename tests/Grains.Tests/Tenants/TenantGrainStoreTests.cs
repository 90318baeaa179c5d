using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Ledger;
using OrleansTenancy.Storage;
using OrleansTenancy.Tenancy.Registry;

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

    /// <summary>One silo on the embedded default: grain state and usage ledger in one SQLite file.</summary>
    private Task<InProcessTestCluster> StartSilo(TestClock time)
    {
        var file = Path.Combine(_folder, "tenancy.db");
        return TestClusters.StartAsync(1, time, silo =>
        {
            silo.Services.AddSingleton<ITenantRegistrySource>(_tenants);
            silo.AddSqliteGrainStorageAsDefault(o => o.DataSource = file);
            silo.Services.AddSqliteUsageLedger(o => o.DataSource = file);
        });
    }

    [Fact]
    public async Task The_sqlite_file_keeps_counters_reservations_and_ledger_across_a_silo_restart()
    {
        var time = new TestClock(new DateTimeOffset(2026, 5, 4, 9, 0, 0, TimeSpan.Zero));
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
        var ledger = second.Silos[0].ServiceProvider.GetRequiredService<IUsageLedger>();
        Assert.Equal(20, (await ledger.ListExecutionsAsync(slug, 100, null)).Items.Count);
    }

    [Fact]
    public async Task Grants_returned_before_a_crash_are_held_by_the_sqlite_file_after_it()
    {
        var time = new TestClock(new DateTimeOffset(2026, 5, 4, 9, 0, 0, TimeSpan.Zero));
        var slug = _tenants.AddTenant("daily_cap_usd: 3\nenforcement: hard\n");
        await using (var first = await StartSilo(time))
        {
            var grain = first.Client.GetGrain<ITenantGrain>(slug);

            // The first grant waits for its write; the second may be returned at once, inside the cover that write stored.
            Assert.True((await grain.ReserveAsync(Reserve("a", 1m))).IsGranted);
            Assert.True((await grain.ReserveAsync(Reserve("b", 1m))).IsGranted);

            // A crash: no deactivation, nothing more is written.
            await first.KillSiloAsync(first.Silos[0]);
        }

        await using var second = await StartSilo(time);
        var again = second.Client.GetGrain<ITenantGrain>(slug);
        var daily = (await again.GetStatusAsync()).Limits.Single(l => l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        Assert.True(daily.Reserved >= 2m, $"after the crash only {daily.Reserved} USD is held for the 2 USD granted");
        Assert.Equal(ReservationOutcome.Denied, (await again.ReserveAsync(Reserve("c", 1.5m))).Outcome);
    }

    [Fact]
    public async Task A_request_id_settled_before_a_restart_stays_finished_and_a_released_one_stays_free()
    {
        var time = new TestClock(new DateTimeOffset(2026, 5, 4, 9, 0, 0, TimeSpan.Zero));
        var slug = _tenants.AddTenant("daily_cap_usd: 2\nenforcement: hard\n");
        await using (var first = await StartSilo(time))
        {
            var grain = first.Client.GetGrain<ITenantGrain>(slug);
            await grain.ReserveAsync(Reserve("paid", 0.1m));
            await grain.SettleAsync(new SettleRequest { RequestId = "paid", ActualCostUsd = 0.05m, PromptTokens = 5, CompletionTokens = 5 }, ExecutionDetails.WithStatus("ok"));
            await grain.ReserveAsync(Reserve("failed", 0.1m));
            await grain.ReleaseAsync("failed", ExecutionDetails.WithStatus("error"));

            // A call that timed out after it was sent is settled (upstream may have charged) with the status "error".
            await grain.ReserveAsync(Reserve("timed-out", 0.1m));
            await grain.SettleAsync(new SettleRequest { RequestId = "timed-out", ActualCostUsd = 0.01m, PromptTokens = 5 }, ExecutionDetails.WithStatus("error"));
        }

        await using var second = await StartSilo(time);
        var again = second.Client.GetGrain<ITenantGrain>(slug);

        Assert.Equal(ReservationOutcome.RequestIdFinished, (await again.ReserveAsync(Reserve("paid", 0.1m))).Outcome);
        Assert.Equal(ReservationOutcome.RequestIdFinished, (await again.ReserveAsync(Reserve("timed-out", 0.1m))).Outcome);
        Assert.Equal(ReservationOutcome.Granted, (await again.ReserveAsync(Reserve("failed", 0.1m))).Outcome);
        var daily = (await again.GetStatusAsync()).Limits.Single(l => l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        Assert.Equal((0.06m, 0.1m), (daily.Spent, daily.Reserved));
        Assert.False((await again.ReconcileAsync()).Changed);
    }

    private static ReservationRequest Reserve(string id, decimal usd) =>
        new() { RequestId = id, Workspace = "main", Model = "m", EstimatedCostUsd = usd, EstimatedTokens = 10 };
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
        await using var cluster = await TestClusters.StartAsync(2, TimeProvider.System, silo =>
        {
            silo.Services.AddSingleton<ITenantRegistrySource>(_tenants);
            silo.AddPostgresGrainStorageAsDefault(_postgres.ConnectionString);
            silo.Services.AddPostgresUsageLedger(o => o.ConnectionString = _postgres.ConnectionString);
        });
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
        var ledger = cluster.Silos[0].ServiceProvider.GetRequiredService<IUsageLedger>();
        var now = TimeProvider.System.GetUtcNow();
        var totals = await ledger.GetTotalsAsync(slug, null, now.AddDays(-2), now.AddDays(2));
        Assert.Equal(2.00m, totals.CostUsd);
        Assert.Equal(200, totals.Executions);
    }
}
