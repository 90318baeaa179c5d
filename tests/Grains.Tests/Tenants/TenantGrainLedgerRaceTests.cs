using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tests.Infrastructure;

namespace OrleansTenancy.Grains.Tests.Tenants;

/// <summary>
/// The tenant grain against a ledger that answers late: settlements that land while a reconcile or a flush waits on the
/// ledger are neither lost nor reported as failures, and a reservation that waited on the ledger for its request id is
/// decided on what storage holds. Each race is forced with a gate on the ledger.
/// </summary>
[Collection(TenantClusterCollection.Name)]
public sealed class TenantGrainLedgerRaceTests(TenantClusterFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly ExecutionDetails Ok = ExecutionDetails.WithStatus("ok");

    private ITenantGrain Grain(string slug) => fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);

    private static async Task SpendAsync(ITenantGrain grain, string id, decimal usd)
    {
        Assert.True((await grain.ReserveAsync(new ReservationRequest { RequestId = id, Workspace = "main", Model = "m", EstimatedCostUsd = usd, EstimatedTokens = 10 })).IsGranted);
        Assert.Equal(SettleResult.Settled, (await grain.SettleAsync(new SettleRequest { RequestId = id, ActualCostUsd = usd, PromptTokens = 4, CompletionTokens = 6 }, Ok)).Result);
    }

    private static async Task<LimitStatus> DailyCost(ITenantGrain grain, string? workspace = null) =>
        (await grain.GetStatusAsync()).Limits.Single(l => l.Workspace == workspace && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);

    [Fact]
    public async Task A_settle_that_lands_while_reconcile_reads_the_ledger_is_kept()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 10\nmonthly_cap_usd: 100\nenforcement: hard\n");
        var grain = Grain(slug);
        await SpendAsync(grain, "a", 1m);
        await grain.FlushUsageAsync();

        ReconcileReport report;
        using (var totals = fixture.Ledger.HoldTotals(slug))
        {
            var reconcile = grain.ReconcileAsync();
            await totals.NextAsync();
            await SpendAsync(grain, "b", 2m);
            totals.Dispose(); // lets the held query and every later one through
            report = await reconcile.WaitAsync(Patience);
        }

        Assert.False(report.Changed);
        Assert.Equal(3m, (await DailyCost(grain)).Spent);
        Assert.False((await grain.ReconcileAsync()).Changed);
        Assert.Equal(3m, (await DailyCost(grain)).Spent);
    }

    [Fact]
    public async Task A_reserve_that_waited_on_the_ledger_is_decided_on_the_state_a_failed_write_left_in_storage()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n");
        var grain = Grain(slug);

        var decision = await WhileAReReadRunsAsync(slug, () =>
            grain.ReserveAsync(new ReservationRequest { RequestId = "callers-id", Workspace = "main", Model = "m", EstimatedCostUsd = 0.6m, EstimatedTokens = 10 }));

        Assert.Equal(ReservationOutcome.Granted, decision.Outcome);
        Assert.Equal(0.6m, (await DailyCost(grain)).Reserved);
        Assert.Equal(ReservationOutcome.Denied, (await grain.ReserveAsync(new ReservationRequest { RequestId = "second", Workspace = "main", Model = "m", EstimatedCostUsd = 0.6m, EstimatedTokens = 10 })).Outcome);
    }

    [Fact]
    public async Task A_settle_that_waited_on_the_ledger_is_applied_to_the_state_a_failed_write_left_in_storage()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n");
        var grain = Grain(slug);

        // An id this activation does not know (settled after a restart, say) is looked up before it is settled.
        var outcome = await WhileAReReadRunsAsync(slug, () =>
            grain.SettleAsync(new SettleRequest { RequestId = "unknown-id", Workspace = "main", ActualCostUsd = 0.6m, PromptTokens = 4, CompletionTokens = 6 }, Ok));

        Assert.Equal(SettleResult.SettledWithoutReservation, outcome.Result);
        Assert.Equal(0.6m, (await DailyCost(grain)).Spent);
        Assert.Equal(SettleResult.AlreadySettled, (await grain.SettleAsync(new SettleRequest { RequestId = "unknown-id", ActualCostUsd = 0.6m }, Ok)).Result);
    }

    /// <summary>
    /// Runs <paramref name="call"/> with its request-id lookup held at the ledger while another call's state write fails
    /// and the grain starts re-reading its state from storage; the lookup answers before the re-read ends.
    /// </summary>
    private async Task<T> WhileAReReadRunsAsync<T>(string slug, Func<Task<T>> call)
    {
        var grain = Grain(slug);
        await grain.GetStatusAsync();
        try
        {
            Task<T> held;
            using (var lookups = fixture.Ledger.HoldLookups(slug))
            {
                held = call();
                var lookup = await lookups.NextAsync();

                fixture.Storage.FailWrites = new IOException("disk full");
                fixture.Storage.HoldReads();
                var failed = grain.ReserveAsync(new ReservationRequest { RequestId = "fresh", Workspace = "main", Model = "m", EstimatedCostUsd = 0.1m, EstimatedTokens = 10, FreshRequestId = true });
                await fixture.Storage.ReadStarted.WaitAsync(Patience);
                fixture.Storage.FailWrites = null;

                lookup.SetResult();
                fixture.Storage.ReleaseReads();
                await Assert.ThrowsAnyAsync<Exception>(() => failed.WaitAsync(Patience));
            }

            return await held.WaitAsync(Patience);
        }
        finally
        {
            fixture.Storage.FailWrites = null;
            fixture.Storage.ReleaseReads();
        }
    }

    [Fact]
    public async Task Rows_the_ledger_already_holds_but_the_outbox_lists_again_are_not_counted_twice_by_reconcile()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = Grain(slug);
        await SpendAsync(grain, "a", 1m);
        await grain.FlushUsageAsync();

        // Row "a" is in the ledger; storage still lists it in the outbox (the trimmed outbox goes with the next write).
        // A failed write makes the grain re-read that state, so its outbox lists "a" again.
        fixture.Storage.FailWrites = new IOException("disk full");
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => grain.ConfigureBudgetAsync(new BudgetLimits { DailyCapUsd = 20m }));
        }
        finally
        {
            fixture.Storage.FailWrites = null;
        }

        // Sending it again fails once (a connection broken by a database restart), then the ledger answers.
        ReconcileReport report;
        using (var writes = fixture.Ledger.HoldWrites(slug))
        {
            var reconcile = grain.ReconcileAsync();
            (await writes.NextAsync()).SetException(new IOException("connection reset by peer"));
            writes.Dispose();
            report = await reconcile.WaitAsync(Patience);
        }

        Assert.False(report.Changed, string.Join("; ", report.Counters.Where(c => c.Changed)));
        Assert.Equal(1m, (await DailyCost(grain)).Spent);
    }

    [Fact]
    public async Task Reconcile_still_corrects_a_counter_that_drifted_from_the_ledger()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = Grain(slug);
        await SpendAsync(grain, "kept", 1m);
        await grain.FlushUsageAsync();

        // A row the ledger holds but the counters never saw (as after a lost state write).
        await fixture.Ledger.RecordAsync(new Ledger.UsageRecord
        {
            RequestId = "ledger-only", Tenant = slug, Workspace = "main", Model = "m", CostUsd = 0.5m, TokensIn = 1, TokensOut = 1,
            Status = "ok", CreatedAt = fixture.Time.GetUtcNow(),
        });
        var report = await grain.ReconcileAsync();

        Assert.True(report.Changed);
        Assert.Equal(1.5m, (await DailyCost(grain)).Spent);
    }

    [Fact]
    public async Task Flushing_waits_for_the_rows_queued_on_entry_and_not_for_rows_that_arrive_meanwhile()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = Grain(slug);
        using var writes = fixture.Ledger.HoldWrites(slug);

        await SpendAsync(grain, "a", 1m);
        var sendingA = await writes.NextAsync();
        var flush = grain.FlushUsageAsync();
        await SpendAsync(grain, "b", 1m);
        sendingA.SetResult();
        var sendingB = await writes.NextAsync();
        await SpendAsync(grain, "c", 1m);
        sendingB.SetResult();

        await flush.WaitAsync(Patience);
        writes.Dispose();
        await grain.FlushUsageAsync();
        var rows = (await fixture.Ledger.ListExecutionsAsync(slug, 10, null)).Items;
        Assert.Equal(["a", "b", "c"], rows.Select(r => r.RequestId).Order().ToArray());
    }
}
