using System.Text.Json;
using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Tenancy.Tests.BudgetTests;

public class ReservationCoverTests
{
    private readonly AccountHarness _budget = new(new BudgetLimits { DailyCapUsd = 100m, Enforcement = Enforcement.Hard });
    private readonly ReservationCover _cover = new();

    /// <summary>One state write as the tenant grain does it: covers placed, state serialised, covers removed, write durable.</summary>
    private BudgetAccountState Write()
    {
        var snapshot = _cover.Place(_budget.Account, _budget.Rules, _budget.Now);
        var stored = Serialise();
        ReservationCover.Remove(_budget.Account, snapshot);
        _cover.Written(snapshot);
        return stored;
    }

    private BudgetAccountState Serialise() => JsonSerializer.Deserialize<BudgetAccountState>(JsonSerializer.Serialize(_budget.State))!;

    private bool Grant(decimal cost, long tokens = 10, string workspace = "main", string? id = null)
    {
        var decision = _budget.Reserve(cost, tokens, workspace, id);
        Assert.True(decision.IsGranted);
        return _cover.TryCover(decision.Reservation!, _budget.Now);
    }

    [Fact]
    public void Nothing_is_covered_before_a_write_with_a_cover_is_durable()
    {
        Assert.False(Grant(1m));
        var snapshot = _cover.Place(_budget.Account, _budget.Rules, _budget.Now);
        ReservationCover.Remove(_budget.Account, snapshot);

        Assert.False(Grant(1m)); // the write is still in flight
        _cover.Written(snapshot);
        Assert.True(Grant(1m));
        Assert.Equal((1, 2), (_cover.Covered, _cover.Uncovered));
    }

    [Fact]
    public void The_cover_exists_in_the_stored_state_only_and_holds_twice_the_recent_demand()
    {
        Grant(1m, tokens: 10);
        Grant(2m, tokens: 30);
        var before = _budget.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Reserved;

        var stored = Write();

        var cover = Assert.Single(stored.Reservations.Values, r => r.Cover);
        Assert.Equal((6m, 80L, 4L), (cover.EstimatedCostUsd, cover.EstimatedTokens, cover.Executions));
        Assert.Equal(before + 6m, stored.Tenant.Day.ReservedUsd);
        Assert.Equal(2 + 4, stored.Tenant.Day.ReservedExecutions);
        Assert.Equal(before, _budget.Status(BudgetMetric.CostUsd, BudgetPeriod.Day).Reserved);
        Assert.DoesNotContain(_budget.State.Reservations.Values, r => r.Cover);
        Assert.Equal(0, _budget.Account.GetStatus(_budget.Rules, _budget.Now).HeldCovers);
    }

    [Fact]
    public void Grants_are_covered_until_the_cover_is_used_up_in_any_metric()
    {
        Grant(1m, tokens: 10);
        Write(); // cover: 2 USD, 20 tokens, 2 calls

        Assert.True(Grant(0.5m, tokens: 5));
        Assert.False(Grant(0.5m, tokens: 20)); // tokens left: 15
        Assert.True(Grant(1.5m, tokens: 15));
        Assert.False(Grant(0.01m, tokens: 0)); // calls left: 0
    }

    [Fact]
    public void A_grant_must_also_fit_the_cover_of_every_write_in_flight_since_that_write_will_replace_it()
    {
        Grant(2m);
        Write(); // durable cover: 4 USD, 2 calls
        _budget.Clock.Advance(TimeSpan.FromMilliseconds(250)); // two horizons without demand
        var inFlight = _cover.Place(_budget.Account, _budget.Rules, _budget.Now);
        ReservationCover.Remove(_budget.Account, inFlight);
        Assert.Empty(inFlight.Covers);

        Assert.False(Grant(1m)); // the durable cover has room, but the write in flight stores none and will replace it
        _cover.Written(inFlight);
        Assert.False(Grant(1m));

        Write(); // sized on the two grants just made: 4 USD, 4 calls
        Assert.True(Grant(1m));
    }

    [Fact]
    public void A_workspace_without_grants_for_two_horizons_gets_no_cover()
    {
        for (var i = 0; i < 4; i++)
        {
            Grant(1m);
        }

        var sizes = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            sizes.Add(Write().Reservations.Values.Where(r => r.Cover).Sum(r => r.Executions));
            _budget.Clock.Advance(_cover.Horizon);
        }

        Assert.Equal([8L, 8L, 0L], sizes);
    }

    [Fact]
    public void A_cover_never_takes_the_stored_state_past_a_hard_limit()
    {
        var budget = new AccountHarness(new BudgetLimits { DailyCapUsd = 10m, DailyExecutions = 7, Enforcement = Enforcement.Hard });
        var cover = new ReservationCover();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(budget.Reserve(2m, 10).IsGranted);
            cover.TryCover(budget.State.Reservations.Values.Last(), budget.Now);
        }

        // Twice the demand (12 USD, 6 calls) does not fit 10 - 6 = 4 USD and 7 - 3 = 4 calls; half of it (6 USD) neither; a quarter (3 USD, 1 call) does.
        var snapshot = cover.Place(budget.Account, budget.Rules, budget.Now);
        var placed = Assert.Single(snapshot.Covers);
        Assert.Equal((3m, 1L), (placed.EstimatedCostUsd, placed.Executions));
        Assert.True(budget.State.Tenant.Day.ReservedUsd <= 10m);
        ReservationCover.Remove(budget.Account, snapshot);
        Assert.Equal(6m, budget.State.Tenant.Day.ReservedUsd);
    }

    [Fact]
    public void Under_soft_enforcement_the_cover_is_not_limited()
    {
        var budget = new AccountHarness(new BudgetLimits { DailyCapUsd = 1m, Enforcement = Enforcement.Soft });
        var cover = new ReservationCover();
        Assert.True(budget.Reserve(2m, 10).IsGranted);
        cover.TryCover(budget.State.Reservations.Values.Single(), budget.Now);

        Assert.Equal(4m, Assert.Single(cover.Place(budget.Account, budget.Rules, budget.Now).Covers).EstimatedCostUsd);
    }

    [Fact]
    public void A_grant_after_the_window_or_in_a_new_day_is_not_covered()
    {
        _budget.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 22, 23, 59, 58, TimeSpan.Zero));
        Grant(1m);
        Write();

        _budget.Clock.Advance(TimeSpan.FromSeconds(3)); // 00:00:01 the next day, inside the window
        Assert.False(Grant(0.1m));

        var fresh = new AccountHarness(new BudgetLimits { DailyCapUsd = 100m, Enforcement = Enforcement.Hard });
        var cover = new ReservationCover(TimeSpan.FromSeconds(5));
        var first = fresh.Reserve(1m, 10);
        cover.TryCover(first.Reservation!, fresh.Now);
        var snapshot = cover.Place(fresh.Account, fresh.Rules, fresh.Now);
        ReservationCover.Remove(fresh.Account, snapshot);
        cover.Written(snapshot);
        fresh.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.False(cover.TryCover(fresh.Reserve(0.1m, 1).Reservation!, fresh.Now));
    }

    [Fact]
    public void A_grant_that_would_outlive_the_cover_is_not_covered()
    {
        Grant(1m);
        Write(); // held for the default TTL (10 minutes) + the window
        _budget.Rules = _budget.Rules with { ReservationTtl = TimeSpan.FromMinutes(20) };

        Assert.False(Grant(0.5m));
        Write();
        Assert.True(Grant(0.5m));
    }

    [Fact]
    public void A_failed_write_covers_nothing_until_a_write_succeeds()
    {
        Grant(1m);
        Write();
        _cover.WriteFailed();

        Assert.False(Grant(0.5m));
        Write();
        Assert.True(Grant(0.5m));
    }

    [Fact]
    public void After_a_crash_the_stored_cover_holds_every_covered_grant_until_after_it_would_have_expired_then_goes()
    {
        Grant(1m, id: "written");
        var stored = Write();
        Assert.True(Grant(1.5m, id: "covered"));
        var covered = _budget.State.Reservations["covered"];

        // Restart from what storage holds: "covered" is unknown, its cover is not.
        var account = new BudgetAccount(stored);
        var status = account.GetStatus(_budget.Rules, _budget.Now);
        Assert.Equal((1, 1), (status.OpenReservations, status.HeldCovers));
        Assert.True(status.Limits[0].Reserved >= 1m + 1.5m);
        var heldCover = stored.Reservations.Values.Single(r => r.Cover);
        Assert.True(heldCover.ExpiresAt >= covered.ExpiresAt);

        // Nobody can settle or release a cover by its id; the call it stood for settles as unknown.
        Assert.Equal(ReleaseResult.Unknown, account.Release(heldCover.RequestId, _budget.Now));
        var settle = account.Settle(new SettleRequest { RequestId = "covered", ActualCostUsd = 1m, Workspace = "main" }, _budget.Rules, _budget.Now);
        Assert.Equal(SettleResult.SettledWithoutReservation, settle.Result);

        // It expires like a reservation and leaves nothing to settle late.
        Assert.Equal(2, account.ExpireStale(heldCover.ExpiresAt));
        var after = account.GetStatus(_budget.Rules, heldCover.ExpiresAt);
        Assert.Equal((0, 0, 0m), (after.OpenReservations, after.HeldCovers, after.Limits[0].Reserved));
        Assert.DoesNotContain(stored.ExpiredUnsettled, f => f.RequestId == heldCover.RequestId);
    }

    [Fact]
    public void A_request_id_that_names_a_cover_is_refused()
    {
        Grant(1m);
        var stored = Write();
        var account = new BudgetAccount(stored);
        var coverId = stored.Reservations.Values.Single(r => r.Cover).RequestId;

        var decision = account.TryReserve(new ReservationRequest { RequestId = coverId, Workspace = "main", Model = "m", EstimatedCostUsd = 1m }, _budget.Rules, _budget.Now);

        Assert.Equal(ReservationOutcome.RequestIdFinished, decision.Outcome);
        Assert.Equal(ReleaseResult.Unknown, account.Release(coverId, _budget.Now));
    }
}
