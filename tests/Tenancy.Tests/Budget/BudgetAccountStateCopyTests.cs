using System.Text.Json;
using OrleansTenancy.Tenancy.Budget;

namespace OrleansTenancy.Tenancy.Tests.BudgetTests;

/// <summary>A state write serialises a copy; later decisions must not reach it, and it must hold all that storage keeps.</summary>
public sealed class BudgetAccountStateCopyTests
{
    private static readonly BudgetLimits Limits = new() { DailyCapUsd = 10m, MonthlyCapUsd = 100m, DailyTokens = 100_000, Enforcement = Enforcement.Hard };

    [Fact]
    public void A_copy_serialises_exactly_as_the_state_and_later_decisions_do_not_reach_it()
    {
        var h = Busy();
        var copy = h.State.Copy();
        var stored = JsonSerializer.Serialize(h.State);
        Assert.Equal(stored, JsonSerializer.Serialize(copy));

        h.Reserve(0.5m, id: "after");
        h.Settle("open", 0.125m, prompt: 10, completion: 20);
        h.Clock.Advance(TimeSpan.FromHours(1));
        h.Settle("late", 0.25m, prompt: 3, completion: 4);

        Assert.Equal(stored, JsonSerializer.Serialize(copy));
        Assert.NotEqual(stored, JsonSerializer.Serialize(h.State));
    }

    [Fact]
    public void A_copy_keeps_the_expired_reservations_that_a_late_settle_still_needs_and_nothing_else_finished()
    {
        var h = Busy();

        var copy = h.State.Copy();

        var expired = Assert.Single(copy.RecentlyFinished);
        Assert.Equal(("late", FinishKind.Expired), (expired.RequestId, expired.Kind));
        Assert.NotNull(expired.Expired);
        Assert.Contains(h.State.RecentlyFinished, f => f.Kind == FinishKind.Settled);
    }

    /// <summary>Counters in two workspaces, an open reservation, a settled one and an expired one.</summary>
    private static AccountHarness Busy()
    {
        var h = new AccountHarness(Limits, ttl: TimeSpan.FromMinutes(5));
        h.Reserve(0.5m, tokens: 100, id: "late");
        h.Clock.Advance(TimeSpan.FromMinutes(6));
        h.Account.ExpireStale(h.Now);
        h.Reserve(0.4m, tokens: 50, id: "done");
        h.Settle("done", 0.3m, prompt: 20, completion: 10);
        h.Reserve(0.2m, tokens: 30, workspace: "research", id: "open");
        return h;
    }
}
