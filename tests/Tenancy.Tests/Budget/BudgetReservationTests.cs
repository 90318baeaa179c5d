using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Tenancy.Tests.BudgetTests;

public class BudgetReservationTests
{
    [Fact]
    public void Hard_cap_grants_up_to_the_cap_exactly_and_denies_beyond()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1.00m, Enforcement = Enforcement.Hard });

        Assert.True(h.Reserve(0.40m).IsGranted);
        Assert.True(h.Reserve(0.60m).IsGranted); // exactly at the cap
        var denied = h.Reserve(0.01m);

        Assert.Equal(ReservationOutcome.Denied, denied.Outcome);
        Assert.Equal(BudgetMetric.CostUsd, denied.Denial!.Metric);
        Assert.Equal(BudgetPeriod.Day, denied.Denial.Period);
        Assert.Equal(1.00m, denied.Denial.Limit);
        Assert.Equal(1.00m, denied.Denial.Reserved);
        Assert.Equal(0m, denied.Denial.Remaining);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), denied.Denial.ResetsAt);
        Assert.Contains("daily_cap_usd", denied.Denial.Message, StringComparison.Ordinal);
        Assert.Contains("2026-11-23 00:00", denied.Denial.Message, StringComparison.Ordinal);
        Assert.Equal(2, h.State.Reservations.Count);
    }

    public static TheoryData<BudgetLimits, decimal, long, BudgetMetric, BudgetPeriod> EachLimitCases => new()
    {
        { new BudgetLimits { DailyCapUsd = 1m }, 0.6m, 0, BudgetMetric.CostUsd, BudgetPeriod.Day },
        { new BudgetLimits { MonthlyCapUsd = 1m }, 0.6m, 0, BudgetMetric.CostUsd, BudgetPeriod.Month },
        { new BudgetLimits { DailyTokens = 1000 }, 0m, 600, BudgetMetric.Tokens, BudgetPeriod.Day },
        { new BudgetLimits { MonthlyTokens = 1000 }, 0m, 600, BudgetMetric.Tokens, BudgetPeriod.Month },
        { new BudgetLimits { DailyExecutions = 1 }, 0m, 0, BudgetMetric.Executions, BudgetPeriod.Day },
        { new BudgetLimits { MonthlyExecutions = 1 }, 0m, 0, BudgetMetric.Executions, BudgetPeriod.Month },
    };

    [Theory]
    [MemberData(nameof(EachLimitCases))]
    public void Every_period_limit_is_enforced_under_hard_mode(BudgetLimits limits, decimal cost, long tokens, BudgetMetric metric, BudgetPeriod period)
    {
        var h = new AccountHarness(limits with { Enforcement = Enforcement.Hard });
        Assert.True(h.Reserve(cost, tokens).IsGranted);

        var second = h.Reserve(cost, tokens);

        Assert.Equal(ReservationOutcome.Denied, second.Outcome);
        Assert.Equal(metric, second.Denial!.Metric);
        Assert.Equal(period, second.Denial.Period);
        Assert.Null(second.Denial.Workspace);
    }

    [Theory]
    [InlineData(0.50, true)]
    [InlineData(0.51, false)]
    public void Max_per_request_caps_one_requests_worst_case(double cost, bool granted)
    {
        var h = new AccountHarness(new BudgetLimits { MaxPerRequest = 0.50m, DailyCapUsd = 100m, Enforcement = Enforcement.Hard });
        var decision = h.Reserve((decimal)cost);

        Assert.Equal(granted, decision.IsGranted);
        if (!granted)
        {
            Assert.Equal(BudgetMetric.MaxPerRequest, decision.Denial!.Metric);
            Assert.Equal(BudgetPeriod.Request, decision.Denial.Period);
            Assert.Null(decision.Denial.ResetsAt);
            Assert.Contains("max_per_request", decision.Denial.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Soft_mode_grants_but_reports_every_overrun()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m, DailyExecutions = 1, MaxPerRequest = 0.5m, Enforcement = Enforcement.Soft });
        Assert.Empty(h.Reserve(0.4m).SoftOverruns);

        var over = h.Reserve(0.9m);

        Assert.Equal(ReservationOutcome.Granted, over.Outcome);
        Assert.Equal(
            [BudgetMetric.MaxPerRequest, BudgetMetric.CostUsd, BudgetMetric.Executions],
            over.SoftOverruns.Select(d => d.Metric).ToArray());
        Assert.Equal(1.3m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Reserved);
    }

    [Fact]
    public void None_mode_tracks_without_denials_or_alerts()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.None, AlertThresholds = [50m, 100m] });
        var decision = h.Reserve(5m);

        Assert.True(decision.IsGranted);
        Assert.Empty(decision.SoftOverruns);
        Assert.Empty(decision.Alerts);
        Assert.Equal(5m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Reserved);
    }

    [Fact]
    public void Workspace_sub_cap_denies_while_the_tenant_still_has_room()
    {
        var workspaces = new Dictionary<string, BudgetLimits> { ["support"] = new() { DailyCapUsd = 1m } };
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 10m, Enforcement = Enforcement.Hard }, workspaces);

        Assert.True(h.Reserve(0.8m, workspace: "support").IsGranted);
        var denied = h.Reserve(0.3m, workspace: "support");
        var otherWorkspace = h.Reserve(0.3m, workspace: "sales");

        Assert.Equal("support", denied.Denial!.Workspace);
        Assert.Equal(0.2m, denied.Denial.Remaining, 10);
        Assert.Contains("Workspace 'support'", denied.Denial.Message, StringComparison.Ordinal);
        Assert.True(otherWorkspace.IsGranted);
    }

    [Fact]
    public void Tenant_cap_binds_across_workspaces()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.Hard });
        Assert.True(h.Reserve(0.7m, workspace: "a").IsGranted);
        var denied = h.Reserve(0.7m, workspace: "b");

        Assert.Null(denied.Denial!.Workspace);
        Assert.Equal(0.3m, denied.Denial.Remaining);
    }

    [Fact]
    public void Budgets_are_tenant_scoped()
    {
        var acme = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.Hard });
        var globex = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.Hard });
        Assert.True(acme.Reserve(1m).IsGranted);

        Assert.False(acme.Reserve(0.1m).IsGranted);
        Assert.True(globex.Reserve(1m).IsGranted);
    }

    [Fact]
    public void A_reserve_for_an_open_request_id_is_in_progress_and_holds_nothing_more()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.Hard });
        h.Reserve(0.6m, id: "req-1");
        var duplicate = h.Reserve(0.6m, id: "req-1");

        Assert.Equal(ReservationOutcome.InProgress, duplicate.Outcome);
        Assert.False(duplicate.IsGranted);
        Assert.Null(duplicate.Reservation);
        Assert.Equal(0.6m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Reserved);
    }

    [Fact]
    public void A_reserve_retried_by_the_call_that_holds_the_id_gets_its_reservation_back()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.Hard });
        ReservationDecision Reserve(long token) => h.Account.TryReserve(
            new ReservationRequest { RequestId = "req-1", Workspace = "main", Model = "m", EstimatedCostUsd = 0.6m, CallToken = token }, h.Rules, h.Now);
        var first = Reserve(42);

        var retried = Reserve(42);
        var other = Reserve(7);

        Assert.Equal((ReservationOutcome.AlreadyReserved, ReservationOutcome.InProgress), (retried.Outcome, other.Outcome));
        Assert.Same(first.Reservation, retried.Reservation);
        Assert.Equal(0.6m, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Reserved);
    }

    [Fact]
    public void A_settled_request_id_is_not_reserved_again()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m });
        h.Reserve(0.1m, id: "req-1");
        h.Settle("req-1", 0.05m);

        Assert.Equal(ReservationOutcome.RequestIdFinished, h.Reserve(0.1m, id: "req-1").Outcome);
    }

    [Fact]
    public void A_released_request_id_is_reserved_again_and_then_settles_once()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.Hard });
        h.Reserve(0.1m, id: "req-1");
        h.Account.Release("req-1", h.Now);

        var retry = h.Reserve(0.2m, id: "req-1");
        var settled = h.Settle("req-1", 0.15m);

        Assert.Equal(ReservationOutcome.Granted, retry.Outcome);
        Assert.Equal(SettleResult.Settled, settled.Result);
        Assert.Equal(SettleResult.AlreadySettled, h.Settle("req-1", 0.15m).Result);
        Assert.Equal(ReleaseResult.AlreadySettled, h.Account.Release("req-1", h.Now));
        Assert.Equal(ReservationOutcome.RequestIdFinished, h.Reserve(0.1m, id: "req-1").Outcome);
        var daily = h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day);
        Assert.Equal((0.15m, 0m), (daily.Spent, daily.Reserved));
    }

    [Fact]
    public void An_expired_request_id_is_finished_because_upstream_may_have_charged_it()
    {
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m });
        h.Reserve(0.1m, id: "req-1");
        h.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(ReservationOutcome.RequestIdFinished, h.Reserve(0.1m, id: "req-1").Outcome);
    }

    [Fact]
    public void Reservation_records_workspace_model_estimates_ttl_and_period_keys()
    {
        var h = new AccountHarness(new BudgetLimits(), zone: "Asia/Tokyo", ttl: TimeSpan.FromSeconds(90),
            start: new DateTimeOffset(2026, 11, 30, 15, 30, 0, TimeSpan.Zero)); // 00:30 on 1 Dec in Tokyo
        var reservation = h.Reserve(0.25m, 1234, workspace: "support", id: "req-9").Reservation!;

        Assert.Equal("req-9", reservation.RequestId);
        Assert.Equal("support", reservation.Workspace);
        Assert.Equal("openai/gpt-4o-mini", reservation.Model);
        Assert.Equal(0.25m, reservation.EstimatedCostUsd);
        Assert.Equal(1234, reservation.EstimatedTokens);
        Assert.Equal(h.Now, reservation.CreatedAt);
        Assert.Equal(h.Now.AddSeconds(90), reservation.ExpiresAt);
        Assert.Equal(20261201, reservation.DayKey);
        Assert.Equal(202612, reservation.MonthKey);
    }

    [Fact]
    public void Many_requests_against_a_small_hard_cap_are_granted_to_the_cent()
    {
        // Row 1 at the account level: the grain serialises callers, so 250 arrivals are 250 sequential decisions.
        var h = new AccountHarness(new BudgetLimits { DailyCapUsd = 1.00m, Enforcement = Enforcement.Hard });
        var granted = Enumerable.Range(0, 250).Select(i => h.Reserve(i % 2 == 0 ? 0.03m : 0.07m)).Where(d => d.IsGranted).ToArray();

        var total = granted.Sum(d => d.Reservation!.EstimatedCostUsd);
        Assert.True(total <= 1.00m, $"granted {total}");
        Assert.Equal(total, h.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Reserved);
        Assert.True(1.00m - total < 0.03m, $"left {1.00m - total} unused although a 0.03 request fits");
    }
}
