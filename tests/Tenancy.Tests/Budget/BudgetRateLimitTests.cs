using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Rates;

namespace OrleansTenancy.Tenancy.Tests.BudgetTests;

/// <summary>The tenant's rate limits, decided with the reservation by the budget account on the test clock.</summary>
public sealed class BudgetRateLimitTests
{
    private static AccountHarness Harness(long? requests, long? tokens, BudgetLimits? limits = null, IReadOnlyDictionary<string, RateLimits>? workspaces = null)
    {
        var h = new AccountHarness(limits ?? new BudgetLimits { DailyCapUsd = 10m, Enforcement = Enforcement.Hard });
        h.Rules = h.Rules with { Rate = new RateLimits(requests, tokens), WorkspaceRates = workspaces };
        return h;
    }

    [Fact]
    public void The_requests_per_minute_are_granted_and_the_next_is_rate_limited_until_the_minute_ends()
    {
        var h = Harness(requests: 2, tokens: null);
        Assert.True(h.Reserve(0.01m).IsGranted);
        h.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True(h.Reserve(0.01m).IsGranted);

        var limited = h.Reserve(0.01m);

        Assert.Equal(ReservationOutcome.RateLimited, limited.Outcome);
        Assert.False(limited.IsGranted);
        Assert.Equal(TimeSpan.FromSeconds(40), limited.RetryAfter);
        Assert.Equal(2, h.State.Reservations.Count); // nothing reserved for the refused call
        h.Clock.Advance(TimeSpan.FromSeconds(40));
        Assert.True(h.Reserve(0.01m).IsGranted);
    }

    [Fact]
    public void A_budget_denial_costs_no_rate()
    {
        var h = Harness(requests: 1, tokens: null, new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.Hard });

        Assert.Equal(ReservationOutcome.Denied, h.Reserve(2m).Outcome);
        Assert.Equal(ReservationOutcome.Denied, h.Reserve(2m).Outcome);

        Assert.True(h.Reserve(0.5m).IsGranted);
        Assert.Equal(ReservationOutcome.RateLimited, h.Reserve(0.1m).Outcome);
    }

    [Fact]
    public void A_rate_limited_call_is_refused_before_its_budget_is_looked_at()
    {
        var h = Harness(requests: 1, tokens: null, new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.Hard });
        Assert.True(h.Reserve(0.5m).IsGranted);

        var refused = h.Reserve(5m);

        Assert.Equal(ReservationOutcome.RateLimited, refused.Outcome);
        Assert.Null(refused.Denial);
    }

    [Fact]
    public void A_retried_reserve_of_the_same_call_and_a_fallback_attempt_are_not_counted_again()
    {
        var h = Harness(requests: 2, tokens: null);
        var first = new ReservationRequest { RequestId = "call-1", Workspace = "main", Model = "m", EstimatedCostUsd = 0.01m, EstimatedTokens = 10, CallToken = 7 };
        Assert.Equal(ReservationOutcome.Granted, h.Account.TryReserve(first, h.Rules, h.Now).Outcome);
        Assert.Equal(ReservationOutcome.AlreadyReserved, h.Account.TryReserve(first, h.Rules, h.Now).Outcome);
        var fallback = first with { RequestId = "call-1~1", Fallback = true };
        Assert.Equal(ReservationOutcome.Granted, h.Account.TryReserve(fallback, h.Rules, h.Now).Outcome);

        Assert.True(h.Reserve(0.01m).IsGranted); // the second call of the minute
        Assert.Equal(ReservationOutcome.RateLimited, h.Reserve(0.01m).Outcome);
        Assert.Equal(ReservationOutcome.Granted, h.Account.TryReserve(fallback with { RequestId = "call-1~2" }, h.Rules, h.Now).Outcome);
    }

    [Fact]
    public void The_tokens_per_minute_count_the_reserved_worst_case()
    {
        var h = Harness(requests: null, tokens: 1_000);
        Assert.True(h.Reserve(0.01m, tokens: 600).IsGranted);
        Assert.True(h.Reserve(0.01m, tokens: 400).IsGranted);

        var limited = h.Reserve(0.01m, tokens: 1);

        Assert.Equal(ReservationOutcome.RateLimited, limited.Outcome);
        Assert.Equal(RateWindow.Length, limited.RetryAfter);
    }

    [Fact]
    public void A_workspace_with_its_own_limit_is_checked_against_it_on_the_tenants_one_count()
    {
        var h = Harness(requests: 3, tokens: null, workspaces: new Dictionary<string, RateLimits> { ["bots"] = new(RequestsPerMinute: 1, TokensPerMinute: null) });
        Assert.True(h.Reserve(0.01m, workspace: "main").IsGranted);

        // The tenant has counted one request this minute; the bots workspace allows one, so it has no room left.
        Assert.Equal(ReservationOutcome.RateLimited, h.Reserve(0.01m, workspace: "bots").Outcome);
        Assert.True(h.Reserve(0.01m, workspace: "main").IsGranted);
        Assert.True(h.Reserve(0.01m, workspace: "main").IsGranted);
        Assert.Equal(ReservationOutcome.RateLimited, h.Reserve(0.01m, workspace: "main").Outcome);
    }

    [Fact]
    public void The_window_outlives_the_account_that_wraps_state_read_again()
    {
        var h = Harness(requests: 1, tokens: null);
        var window = new RateWindow();
        var before = new BudgetAccount(h.State, rate: window);
        Assert.True(before.TryReserve(Request("a"), h.Rules, h.Now).IsGranted);

        var reread = new BudgetAccount(h.State, rate: window);

        Assert.Equal(ReservationOutcome.RateLimited, reread.TryReserve(Request("b"), h.Rules, h.Now).Outcome);
        Assert.True(new BudgetAccount(h.State).TryReserve(Request("c"), h.Rules, h.Now).IsGranted); // a new activation's empty window

        static ReservationRequest Request(string id) => new() { RequestId = id, Workspace = "main", Model = "m", EstimatedCostUsd = 0.01m };
    }
}
