using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tests.Infrastructure;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Tenants;

[CollectionDefinition(Name)]
public sealed class TenantClusterCollection : ICollectionFixture<TenantClusterFixture>
{
    public const string Name = "tenant-cluster";
}

[Collection(TenantClusterCollection.Name)]
public sealed class TenantGrainBudgetTests(TenantClusterFixture fixture)
{
    private static readonly ExecutionDetails Ok = ExecutionDetails.WithStatus("ok");

    private ITenantGrain Grain(string slug) => fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);

    private static ReservationRequest Reserve(string id, decimal usd, long tokens = 100, string workspace = "main") =>
        new() { RequestId = id, Workspace = workspace, Model = "openai/gpt-4o-mini", EstimatedCostUsd = usd, EstimatedTokens = tokens };

    [Fact]
    public async Task A_thousand_concurrent_reservations_against_a_hard_cap_grant_exactly_what_fits()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 5\nenforcement: hard\n");
        var grain = Grain(slug);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => grain.ReserveAsync(Reserve($"r{i}", 0.01m))));

        Assert.Equal(500, decisions.Count(d => d.Outcome == ReservationOutcome.Granted));
        Assert.All(decisions.Where(d => !d.IsGranted), d => Assert.Equal(BudgetMetric.CostUsd, d.Denial!.Metric));
        var status = await grain.GetStatusAsync();
        var daily = status.Limits.Single(l => l.Workspace is null && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        Assert.Equal(5.00m, daily.Reserved);
        Assert.Equal(0m, daily.Remaining);
    }

    [Fact]
    public async Task A_thousand_concurrent_reserve_settle_release_flows_stay_under_the_cap_and_counters_equal_the_ledger()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 3\nmonthly_cap_usd: 50\nenforcement: hard\n");
        var grain = Grain(slug);
        decimal settledCost = 0;
        long settledTokens = 0;
        var settledCount = 0;
        var gate = new Lock();

        async Task Flow(int i)
        {
            var estimate = 0.01m + (i % 5 * 0.01m);
            var decision = await grain.ReserveAsync(Reserve($"f{i}", estimate, tokens: 500));
            if (!decision.IsGranted)
            {
                return;
            }

            if (i % 3 == 0)
            {
                Assert.Equal(ReleaseResult.Released, await grain.ReleaseAsync($"f{i}", ExecutionDetails.WithStatus("error")));
                return;
            }

            // Real cost is below the worst case, as it is when max_tokens is not used up.
            var actual = decimal.Round(estimate * 0.7m, 6);
            var outcome = await grain.SettleAsync(new SettleRequest { RequestId = $"f{i}", ActualCostUsd = actual, PromptTokens = 120, CompletionTokens = 80 }, Ok);
            Assert.Equal(SettleResult.Settled, outcome.Result);
            lock (gate)
            {
                settledCost += actual;
                settledTokens += 200;
                settledCount++;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(Flow));

        var status = await grain.GetStatusAsync();
        var daily = status.Limits.Single(l => l.Workspace is null && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        Assert.True(daily.Spent <= 3m, $"spent {daily.Spent} exceeds the hard cap");
        Assert.Equal(settledCost, daily.Spent);
        Assert.Equal(0m, daily.Reserved);
        Assert.Equal(0, status.OpenReservations);

        var report = await grain.ReconcileAsync();
        Assert.False(report.Changed, string.Join("\n", report.Counters.Where(c => c.Changed)));
        var tenantDay = report.Counters.Single(c => c.Workspace is null && c.Period == "day");
        Assert.Equal(settledCost, tenantDay.CostAfter);
        Assert.Equal(settledTokens, tenantDay.TokensAfter);
        Assert.Equal(settledCount, tenantDay.ExecutionsAfter);
    }

    [Fact]
    public async Task A_denial_names_the_limit_the_amount_left_and_when_the_period_resets()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", timezone: "Europe/Berlin");
        var grain = Grain(slug);

        Assert.True((await grain.ReserveAsync(Reserve("a", 0.6m))).IsGranted);
        var denied = await grain.ReserveAsync(Reserve("b", 0.6m));

        Assert.Equal(ReservationOutcome.Denied, denied.Outcome);
        var denial = denied.Denial!;
        Assert.Equal(BudgetMetric.CostUsd, denial.Metric);
        Assert.Equal(BudgetPeriod.Day, denial.Period);
        Assert.Equal(1m, denial.Limit);
        Assert.Equal(0.4m, denial.Remaining);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var localNow = TimeZoneInfo.ConvertTime(fixture.Time.GetUtcNow(), berlin);
        var nextMidnight = new DateTimeOffset(localNow.Date.AddDays(1), berlin.GetUtcOffset(localNow.Date.AddDays(1)));
        Assert.Equal(nextMidnight, denial.ResetsAt);
        Assert.Contains("0.4", denial.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settle_and_release_are_idempotent_and_each_request_is_one_ledger_row()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = Grain(slug);
        await grain.ReserveAsync(Reserve("s1", 0.5m));
        await grain.ReserveAsync(Reserve("s2", 0.5m));
        var settle = new SettleRequest { RequestId = "s1", ActualCostUsd = 0.2m, PromptTokens = 10, CompletionTokens = 5 };

        var first = await grain.SettleAsync(settle, Ok);
        var retried = await grain.SettleAsync(settle, Ok);
        var released = await grain.ReleaseAsync("s2", ExecutionDetails.WithStatus("error"));
        var releasedAgain = await grain.ReleaseAsync("s2", ExecutionDetails.WithStatus("error"));
        var releaseAfterSettle = await grain.ReleaseAsync("s1", ExecutionDetails.WithStatus("error"));

        Assert.Equal(SettleResult.Settled, first.Result);
        Assert.Equal(SettleResult.AlreadySettled, retried.Result);
        Assert.Equal(ReleaseResult.Released, released);
        Assert.Equal(ReleaseResult.AlreadyReleased, releasedAgain);
        Assert.Equal(ReleaseResult.AlreadySettled, releaseAfterSettle);
        await grain.FlushUsageAsync();
        var page = await fixture.Ledger.ListExecutionsAsync(slug, 10, null);
        Assert.Equal(2, page.Items.Count);
        var settledRow = page.Items.Single(r => r.RequestId == "s1");
        Assert.Equal(0.2m, settledRow.CostUsd);
        Assert.Equal(0.5m, settledRow.EstimatedCostUsd);
        Assert.Equal("ok", settledRow.Status);
        Assert.Equal("error", page.Items.Single(r => r.RequestId == "s2").Status);
        var daily = (await grain.GetStatusAsync()).Limits.Single(l => l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        Assert.Equal(0.2m, daily.Spent);
        Assert.Equal(0m, daily.Reserved);
    }

    [Fact]
    public async Task Large_worst_case_reservations_return_their_unused_part_at_settle()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n");
        var grain = Grain(slug);

        Assert.True((await grain.ReserveAsync(Reserve("big", 0.9m))).IsGranted);
        Assert.False((await grain.ReserveAsync(Reserve("blocked", 0.2m))).IsGranted);
        await grain.SettleAsync(new SettleRequest { RequestId = "big", ActualCostUsd = 0.01m, PromptTokens = 50, CompletionTokens = 10 }, Ok);

        Assert.True((await grain.ReserveAsync(Reserve("after", 0.2m))).IsGranted);
    }

    [Fact]
    public async Task Reservations_of_a_caller_that_died_expire_after_their_ttl()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n");
        var grain = Grain(slug);
        Assert.True((await grain.ReserveAsync(Reserve("orphan", 1m))).IsGranted);
        Assert.False((await grain.ReserveAsync(Reserve("next", 0.1m))).IsGranted);

        fixture.Time.Advance(TimeSpan.FromMinutes(11));

        Assert.True((await grain.ReserveAsync(Reserve("next-after-ttl", 0.1m))).IsGranted);
        var status = await grain.GetStatusAsync();
        Assert.Equal(1, status.OpenReservations);
    }

    [Fact]
    public async Task Usage_reserved_before_local_midnight_and_settled_after_it_belongs_to_the_day_it_was_reserved()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 10\nmonthly_cap_usd: 100\nenforcement: hard\n", timezone: "Asia/Tokyo");
        var grain = Grain(slug);
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var local = TimeZoneInfo.ConvertTime(fixture.Time.GetUtcNow(), tokyo);
        var midnight = new DateTimeOffset(local.Date.AddDays(1), tokyo.BaseUtcOffset);
        if (local.Day >= 28)
        {
            // Keep the month the same so that the month counter shows the usage.
            return;
        }

        fixture.Time.Advance(midnight - fixture.Time.GetUtcNow() - TimeSpan.FromMinutes(1));
        await grain.ReserveAsync(Reserve("late", 0.5m));
        fixture.Time.Advance(TimeSpan.FromMinutes(2));
        await grain.SettleAsync(new SettleRequest { RequestId = "late", ActualCostUsd = 0.3m, PromptTokens = 1, CompletionTokens = 1 }, Ok);

        var limits = (await grain.GetStatusAsync()).Limits.Where(l => l.Workspace is null && l.Metric == BudgetMetric.CostUsd).ToList();
        Assert.Equal(0m, limits.Single(l => l.Period == BudgetPeriod.Day).Spent);
        Assert.Equal(0.3m, limits.Single(l => l.Period == BudgetPeriod.Month).Spent);
        await grain.FlushUsageAsync();
        var previousDay = await fixture.Ledger.GetTotalsAsync(slug, null, midnight.AddDays(-1), midnight);
        Assert.Equal(0.3m, previousDay.CostUsd);
        Assert.False((await grain.ReconcileAsync()).Changed);
    }

    [Fact]
    public async Task A_late_settle_of_an_expired_reservation_is_still_counted_in_the_reservation_period()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = Grain(slug);
        var reservedAt = fixture.Time.GetUtcNow();
        await grain.ReserveAsync(Reserve("slow", 0.5m));

        fixture.Time.Advance(TimeSpan.FromMinutes(11));
        var outcome = await grain.SettleAsync(new SettleRequest { RequestId = "slow", ActualCostUsd = 0.25m, PromptTokens = 3, CompletionTokens = 4 }, Ok);

        Assert.Equal(SettleResult.SettledAfterExpiry, outcome.Result);
        await grain.FlushUsageAsync();
        var row = Assert.Single((await fixture.Ledger.ListExecutionsAsync(slug, 10, null)).Items);
        Assert.Equal(reservedAt, row.CreatedAt);
        Assert.Equal("main", row.Workspace);
        Assert.Equal(0.5m, row.EstimatedCostUsd);
        Assert.False((await grain.ReconcileAsync()).Changed);
    }

    [Fact]
    public async Task A_runtime_override_wins_over_the_yaml_limits_and_is_persisted()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 100\nenforcement: hard\n");
        var grain = Grain(slug);

        await grain.ConfigureBudgetAsync(new BudgetLimits { DailyCapUsd = 1m });
        var denied = await grain.ReserveAsync(Reserve("o1", 2m));
        await grain.ConfigureBudgetAsync(null);
        var granted = await grain.ReserveAsync(Reserve("o2", 2m));

        Assert.Equal(ReservationOutcome.Denied, denied.Outcome);
        Assert.Equal(1m, denied.Denial!.Limit);
        Assert.True(granted.IsGranted);
        Assert.Null(await grain.GetBudgetOverrideAsync());
    }

    [Fact]
    public async Task An_invalid_override_is_refused_naming_the_field()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 100\n");
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            Grain(slug).ConfigureBudgetAsync(new BudgetLimits { DailyCapUsd = 10m, MonthlyCapUsd = 5m }));

        Assert.Contains("monthly_cap_usd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_tenant_is_a_clear_error()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Grain("no-such-tenant").ReserveAsync(Reserve("x", 0.1m)));

        Assert.Contains("no-such-tenant", error.Message, StringComparison.Ordinal);
    }
}
