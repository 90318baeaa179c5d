using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Tests.BudgetTests;

public class BudgetSettlementTests
{
    private static readonly BudgetLimits _hardDollar = new() { DailyCapUsd = 1m, MonthlyCapUsd = 10m, DailyTokens = 100_000, Enforcement = Enforcement.Hard };

    [Fact]
    public void Settle_replaces_the_worst_case_with_actual_usage_and_returns_the_rest()
    {
        // Row 2: a large max_tokens reservation must not pin the tenant after a small real spend.
        var h = new AccountHarness(_hardDollar);
        h.Reserve(0.90m, 90_000, id: "big");
        Assert.False(h.Reserve(0.20m).IsGranted);

        var outcome = h.Settle("big", 0.01m, prompt: 100, completion: 20);

        Assert.Equal(SettleResult.Settled, outcome.Result);
        var cost = h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day);
        Assert.Equal((0.01m, 0m, 0.99m), (cost.Spent, cost.Reserved, cost.Remaining));
        Assert.Equal(120m, h.Status(BudgetMetric.Tokens, BudgetPeriod.Day).Spent);
        Assert.True(h.Reserve(0.20m).IsGranted);
    }

    [Fact]
    public void Duplicate_settle_and_release_change_nothing()
    {
        // Row 11: a retried settle pays once.
        var h = new AccountHarness(_hardDollar);
        h.Reserve(0.5m, id: "r");

        Assert.Equal(SettleResult.Settled, h.Settle("r", 0.3m).Result);
        var again = h.Settle("r", 0.3m);
        var release = h.Account.Release("r", h.Now);

        Assert.Equal(SettleResult.AlreadySettled, again.Result);
        Assert.False(again.Changed);
        Assert.Equal(ReleaseResult.AlreadySettled, release);
        Assert.Equal(0.3m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Spent);
    }

    [Fact]
    public void Release_returns_the_budget_once_and_a_later_settle_is_ignored()
    {
        var h = new AccountHarness(_hardDollar);
        h.Reserve(0.8m, id: "r");

        Assert.Equal(ReleaseResult.Released, h.Account.Release("r", h.Now));
        Assert.Equal(ReleaseResult.AlreadyReleased, h.Account.Release("r", h.Now));
        Assert.Equal(SettleResult.AlreadyReleased, h.Settle("r", 0.8m).Result);
        Assert.Equal(ReleaseResult.Unknown, h.Account.Release("never", h.Now));
        var cost = h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day);
        Assert.Equal((0m, 0m), (cost.Spent, cost.Reserved));
    }

    [Fact]
    public void Stale_reservations_expire_after_the_ttl_and_return_their_budget()
    {
        // Row 3: a caller that died must not pin the budget forever.
        var h = new AccountHarness(_hardDollar, ttl: TimeSpan.FromMinutes(5));
        h.Reserve(1m, id: "orphan");
        Assert.False(h.Reserve(0.1m).IsGranted);

        h.Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal(0, h.Account.ExpireStale(h.Now));
        h.Clock.Advance(TimeSpan.FromTicks(1));

        Assert.True(h.Reserve(0.1m).IsGranted); // reserve sweeps expired reservations first
        Assert.DoesNotContain("orphan", h.State.Reservations.Keys);
        Assert.Equal(ReleaseResult.AlreadyExpired, h.Account.Release("orphan", h.Now));
    }

    [Fact]
    public void Settle_after_expiry_still_counts_the_money_spent_upstream()
    {
        var h = new AccountHarness(_hardDollar, ttl: TimeSpan.FromMinutes(1));
        h.Reserve(0.5m, id: "slow");
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, h.Account.ExpireStale(h.Now));

        var late = h.Settle("slow", 0.2m);
        var duplicate = h.Settle("slow", 0.2m);

        Assert.Equal(SettleResult.SettledAfterExpiry, late.Result);
        Assert.Equal(SettleResult.AlreadySettled, duplicate.Result);
        var cost = h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day);
        Assert.Equal((0.2m, 0m), (cost.Spent, cost.Reserved));
    }

    [Fact]
    public void Settle_of_an_unknown_id_records_usage_in_the_current_period()
    {
        var workspaces = new Dictionary<string, BudgetLimits> { ["support"] = new() { DailyCapUsd = 1m } };
        var h = new AccountHarness(_hardDollar, workspaces);

        var outcome = h.Settle("nobody-reserved", 0.4m, 10, 5, workspace: "support");

        Assert.Equal(SettleResult.SettledWithoutReservation, outcome.Result);
        Assert.Equal(0.4m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Spent);
        Assert.Equal(0.4m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day, "support").Spent);
        Assert.Equal(SettleResult.AlreadySettled, h.Settle("nobody-reserved", 0.4m).Result);
    }

    [Fact]
    public void Usage_lands_in_the_period_of_the_reservation_time()
    {
        // Row 7: reserve at 23:50 local (Berlin), settle at 00:10 the next day.
        var h = new AccountHarness(_hardDollar, zone: "Europe/Berlin", start: new DateTimeOffset(2026, 11, 22, 22, 50, 0, TimeSpan.Zero));
        h.Reserve(0.9m, id: "late-night");
        h.Clock.Advance(TimeSpan.FromMinutes(20));

        h.Settle("late-night", 0.7m);

        var day = h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day);
        var month = h.Status(BudgetMetric.CostUsd, BudgetPeriod.Month);
        Assert.Equal((0m, 0m, 1m), (day.Spent, day.Reserved, day.Remaining)); // today is untouched
        Assert.Equal(0.7m, month.Spent);                                       // same month
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 23, 0, 0, TimeSpan.Zero), day.ResetsAt);
    }

    [Fact]
    public void Usage_reserved_in_the_last_minute_of_a_month_does_not_count_in_the_next()
    {
        var h = new AccountHarness(_hardDollar, start: new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));
        h.Reserve(0.9m, id: "r");
        h.Clock.Advance(TimeSpan.FromMinutes(2));

        h.Settle("r", 0.9m);

        Assert.Equal(0m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Spent);
        Assert.Equal(0m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Month).Spent);
        Assert.True(h.Reserve(1m).IsGranted);
    }

    [Fact]
    public void Counters_roll_over_lazily_at_local_midnight_and_month_start()
    {
        // Row 9: the daily counter resets at the next local day, the monthly one at the next month.
        var h = new AccountHarness(_hardDollar with { MonthlyCapUsd = 1.5m }, zone: "Asia/Tokyo", start: new DateTimeOffset(2026, 11, 30, 14, 0, 0, TimeSpan.Zero));
        h.Reserve(1m, id: "a");
        h.Settle("a", 1m);
        Assert.False(h.Reserve(0.01m).IsGranted);

        h.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 14, 59, 59, TimeSpan.Zero)); // 23:59:59 Tokyo
        Assert.False(h.Reserve(0.01m).IsGranted);
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 15, 0, 0, TimeSpan.Zero));   // 00:00 on 1 Dec Tokyo

        Assert.Equal(0m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Spent);
        Assert.Equal(0m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Month).Spent);
        Assert.True(h.Reserve(1m).IsGranted);
    }

    [Fact]
    public void Day_rolls_over_but_month_keeps_counting()
    {
        var h = new AccountHarness(_hardDollar with { MonthlyCapUsd = 1.5m });
        h.Reserve(1m, id: "a");
        h.Settle("a", 1m);
        h.Clock.Advance(TimeSpan.FromDays(1));

        var denied = h.Reserve(0.6m);

        Assert.Equal(BudgetPeriod.Month, denied.Denial!.Period);
        Assert.Equal(0.5m, denied.Denial.Remaining);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), denied.Denial.ResetsAt);
    }

    [Fact]
    public void Thresholds_fire_once_each_per_period()
    {
        // Row 10: crossing 50/80/100 % emits one event each, never again in the same period.
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 10m, Enforcement = Enforcement.Soft, AlertThresholds = [50m, 80m, 100m] });
        var fired = new List<decimal>();
        void Spend(decimal amount)
        {
            var id = Guid.NewGuid().ToString("N");
            fired.AddRange(h.Reserve(amount, id: id).Alerts.Select(a => a.ThresholdPercent));
            fired.AddRange(h.Settle(id, amount).Alerts.Select(a => a.ThresholdPercent));
        }

        Spend(4m);
        Assert.Empty(fired);
        Spend(1m);   // 50 %
        Spend(2.5m); // 75 %
        Spend(0.5m); // 80 %
        Spend(3m);   // 110 %: only 100 is new
        Spend(1m);
        Assert.Equal([50m, 80m, 100m], fired);

        h.Clock.Advance(TimeSpan.FromDays(1));
        fired.Clear();
        Spend(9m);
        Assert.Equal([50m, 80m], fired); // a new period fires again
    }

    [Fact]
    public void A_threshold_does_not_refire_when_a_release_drops_usage_and_it_climbs_back()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 10m, Enforcement = Enforcement.Hard, AlertThresholds = [50m] });
        var first = h.Reserve(6m, id: "a");
        h.Account.Release("a", h.Now);
        var second = h.Reserve(6m, id: "b");

        var alert = Assert.Single(first.Alerts);
        Assert.Equal((BudgetMetric.CostUsd, BudgetPeriod.Day, 20261122, 60m), (alert.Metric, alert.Period, alert.PeriodKey, alert.PercentUsed));
        Assert.Empty(second.Alerts);
    }

    [Fact]
    public void Finished_ids_are_remembered_within_a_bounded_window()
    {
        var h = new AccountHarness(new BudgetLimits(), options: new BudgetAccountOptions { RecentRequestCapacity = 16 });
        for (var i = 0; i < 100; i++)
        {
            h.Settle($"r{i}", 0.01m);
        }

        Assert.InRange(h.State.RecentlyFinished.Count, 16, 16 + 2);
        Assert.Equal(SettleResult.AlreadySettled, h.Settle("r99", 0.01m).Result);
        Assert.Equal(SettleResult.SettledWithoutReservation, h.Settle("r0", 0.01m).Result); // forgotten: the ledger is the final guard
    }

    [Fact]
    public void Expired_reservations_are_persisted_until_settled_late_or_forgotten()
    {
        var h = new AccountHarness(_hardDollar, ttl: TimeSpan.FromMinutes(1), options: new BudgetAccountOptions { RecentRequestRetention = TimeSpan.FromHours(1) });
        h.Reserve(0.5m, id: "late");
        h.Reserve(0.1m, id: "lost");
        h.Settle("done", 0.01m);
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(2, h.Account.ExpireStale(h.Now));
        Assert.Equal(["late", "lost"], h.State.ExpiredUnsettled.Select(f => f.RequestId).Order().ToArray());

        h.Settle("late", 0.2m);
        Assert.Equal(["lost"], h.State.ExpiredUnsettled.Select(f => f.RequestId).ToArray());

        // A reloaded account still knows the expired id, and forgets it after the retention like any other.
        var reloaded = new BudgetAccount(System.Text.Json.JsonSerializer.Deserialize<BudgetAccountState>(System.Text.Json.JsonSerializer.Serialize(h.State))!);
        Assert.Equal(["lost"], reloaded.State.ExpiredUnsettled.Select(f => f.RequestId).ToArray());
        reloaded.Settle(new SettleRequest { RequestId = "two-days-later", ActualCostUsd = 0.01m }, h.Rules, h.Now.AddDays(2)); // default retention: 24 h
        Assert.Empty(reloaded.State.ExpiredUnsettled);
    }

    [Fact]
    public void Finished_ids_are_forgotten_after_the_retention()
    {
        var h = new AccountHarness(new BudgetLimits(), options: new BudgetAccountOptions { RecentRequestRetention = TimeSpan.FromHours(1) });
        h.Settle("old", 0.01m);
        h.Clock.Advance(TimeSpan.FromHours(2));
        h.Settle("new", 0.01m);

        Assert.Equal(["new"], h.State.RecentlyFinished.Select(f => f.RequestId).ToArray());
    }

    [Fact]
    public void An_actual_cost_above_the_estimate_is_counted_in_full_and_blocks_later_grants()
    {
        var h = new AccountHarness(_hardDollar);
        h.Reserve(0.5m, id: "under-estimated");

        h.Settle("under-estimated", 0.95m);

        Assert.Equal(0.95m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Spent);
        Assert.Equal(0.05m, h.Reserve(0.1m).Denial!.Remaining);
    }

    [Fact]
    public void A_workspace_with_a_ttl_of_its_own_holds_its_reservations_that_long()
    {
        var h = new AccountHarness(_hardDollar, ttl: TimeSpan.FromHours(1));
        h.Rules = h.Rules with { WorkspaceReservationTtls = new Dictionary<string, TimeSpan> { ["quick"] = TimeSpan.FromSeconds(45) } };

        var quick = h.Reserve(0.1m, workspace: "quick").Reservation!;
        var main = h.Reserve(0.1m).Reservation!;

        Assert.Equal((h.Now.AddSeconds(45), h.Now.AddHours(1)), (quick.ExpiresAt, main.ExpiresAt));
        Assert.Equal(1, h.Account.ExpireStale(h.Now.AddSeconds(45)));
    }

    [Fact]
    public void Rules_without_a_ttl_hold_reservations_for_the_documented_default()
    {
        var h = new AccountHarness(_hardDollar);

        Assert.Equal(h.Now + EffectivePolicy.DefaultReservationTtl, h.Reserve(0.1m).Reservation!.ExpiresAt);
    }
}
