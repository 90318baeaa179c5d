using Orleans.Storage;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.Tenancy.Budget;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Tenants;

/// <summary>Group commit: what callers see while the storage write that holds their grant is pending or failing.</summary>
public sealed class TenantGrainDurabilityTests : IClassFixture<TenantClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TenantClusterFixture _fixture;

    public TenantGrainDurabilityTests(TenantClusterFixture fixture)
    {
        _fixture = fixture;
        fixture.Storage.FailWrites = null;
        fixture.Storage.ReleaseWrites();
    }

    /// <summary>A reservation under an id the gateway made up (it never repeats): the kind of grant a cover may hold.</summary>
    private static ReservationRequest Reserve(string id, decimal usd) =>
        new() { RequestId = id, Workspace = "main", Model = "openai/gpt-4o-mini", EstimatedCostUsd = usd, EstimatedTokens = 10, FreshRequestId = true };

    /// <summary>A reservation under the caller's own <c>X-Request-Id</c>, which a retry sends again.</summary>
    private static ReservationRequest ReserveCallersId(string id, decimal usd) => Reserve(id, usd) with { FreshRequestId = false };

    private static SettleRequest SettleWithin(string id, TimeSpan window) =>
        new() { RequestId = id, Workspace = "main", ActualCostUsd = 0.5m, StoreWithin = window };

    private static async Task WaitForOpenReservations(ITenantGrain grain, int count, bool atMost = false)
    {
        // Reads interleave with pending writes (the grain is reentrant), so this observes in-memory decisions.
        using var timeout = new CancellationTokenSource(Patience);
        while ((await grain.GetStatusAsync()).OpenReservations is var open && (atMost ? open > count : open < count))
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    [Fact]
    public async Task A_grant_is_returned_only_after_the_write_that_holds_it_succeeded()
    {
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        await grain.GetStatusAsync();

        await AssertGrantedOnlyAfterItsWrite(grain, Reserve("durable", 1m), "the grant was returned before its write completed");
    }

    [Fact]
    public async Task Grants_that_arrive_during_a_write_share_the_next_write()
    {
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 100\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        await grain.GetStatusAsync();
        _fixture.Storage.HoldWrites();
        var first = grain.ReserveAsync(Reserve("first", 1m));
        await _fixture.Storage.WriteStarted.WaitAsync(Patience);
        var writesBefore = _fixture.Storage.Writes;

        var rest = Enumerable.Range(0, 50).Select(i => grain.ReserveAsync(Reserve($"next{i}", 1m))).ToList();
        await WaitForOpenReservations(grain, 51);
        _fixture.Storage.ReleaseWrites();
        var decisions = await Task.WhenAll(rest.Prepend(first)).WaitAsync(Patience);

        Assert.All(decisions, d => Assert.True(d.IsGranted));
        Assert.Equal(2, _fixture.Storage.Writes - writesBefore);
    }

    [Fact]
    public async Task Settles_that_may_wait_are_stored_together_when_their_window_ends_on_the_grains_clock()
    {
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 100\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await grain.ReserveAsync(ReserveCallersId(id, 1m));
        }

        // Longer than the test's patience, so that on any clock but the grain's the settles are not answered in time;
        // shorter than the maintenance period, whose tick would store them too.
        var window = TenantGrain.MaintenancePeriod - TimeSpan.FromSeconds(10);
        Assert.True(window > Patience);
        var writesBefore = _fixture.Storage.Writes;
        _fixture.Storage.HoldWrites();
        var settles = new[] { "a", "b", "c" }.Select(id => grain.SettleAsync(SettleWithin(id, window), ExecutionDetails.WithStatus("ok"))).ToList();
        await WaitForOpenReservations(grain, 0, atMost: true);

        // The window runs on the grain's clock: until it moves, nothing is written and no settle is answered.
        Assert.False(_fixture.Storage.WriteStarted.IsCompleted, "a settle that may wait was written before its window ended");
        Assert.DoesNotContain(settles, s => s.IsCompleted);

        _fixture.Storage.ReleaseWrites();
        _fixture.Time.Advance(window);
        var outcomes = await Task.WhenAll(settles).WaitAsync(Patience);

        Assert.All(outcomes, o => Assert.Equal(SettleResult.Settled, o.Result));
        Assert.Equal(1, _fixture.Storage.Writes - writesBefore);
    }

    [Fact]
    public async Task A_grant_that_must_be_stored_stores_the_waiting_settles_with_it_at_once()
    {
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 100\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        await grain.ReserveAsync(ReserveCallersId("a", 1m));
        var writesBefore = _fixture.Storage.Writes;

        var settle = grain.SettleAsync(SettleWithin("a", TimeSpan.FromMinutes(1)), ExecutionDetails.WithStatus("ok"));
        await WaitForOpenReservations(grain, 0, atMost: true);
        var grant = await grain.ReserveAsync(ReserveCallersId("b", 1m)).WaitAsync(Patience);
        var settled = await settle.WaitAsync(Patience);

        Assert.True(grant.IsGranted);
        Assert.Equal(SettleResult.Settled, settled.Result);
        Assert.Equal(1, _fixture.Storage.Writes - writesBefore);
        var stored = _fixture.Storage.LastWritten<TenantGrainState>(slug)!;
        Assert.Equal(["b"], stored.Account.Reservations.Keys);
    }

    [Fact]
    public async Task A_failed_write_fails_every_grant_it_carried_and_the_budget_comes_back()
    {
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 3\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        await grain.GetStatusAsync();
        _fixture.Storage.HoldWrites();
        var first = grain.ReserveAsync(Reserve("lost-1", 1m));
        await _fixture.Storage.WriteStarted.WaitAsync(Patience);
        var behind = new[] { grain.ReserveAsync(Reserve("lost-2", 1m)), grain.ReserveAsync(Reserve("lost-3", 1m)) };
        await WaitForOpenReservations(grain, 3);

        _fixture.Storage.FailWrites = new IOException("disk full");
        _fixture.Storage.ReleaseWrites();
        foreach (var call in behind.Prepend(first))
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => call.WaitAsync(Patience));
            Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
        }

        _fixture.Storage.FailWrites = null;
        var status = await grain.GetStatusAsync();
        Assert.Equal(0, status.OpenReservations);
        var retried = await grain.ReserveAsync(Reserve("lost-1", 3m));
        Assert.Equal(ReservationOutcome.Granted, retried.Outcome);
    }

    [Fact]
    public async Task Every_failed_write_discards_what_it_carried_not_only_the_first()
    {
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        await grain.GetStatusAsync();
        _fixture.Storage.FailWrites = new IOException("disk full");

        await Assert.ThrowsAnyAsync<Exception>(() => grain.ReserveAsync(Reserve("lost-1", 1m)).WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<Exception>(() => grain.ReserveAsync(Reserve("lost-2", 1m)).WaitAsync(Patience));
        _fixture.Storage.FailWrites = null;

        var status = await grain.GetStatusAsync();
        Assert.Equal((0, 0m), (status.OpenReservations, status.Limits[0].Reserved));
    }

    [Fact]
    public async Task A_grant_the_last_write_covers_is_returned_before_its_own_write_and_storage_holds_budget_for_it()
    {
        var (slug, grain, covered) = await GrantOneThenOneCoveredWithWritesHeld(dailyCapUsd: 10);

        Assert.True(covered.IsGranted);
        var stored = _fixture.Storage.LastWritten<TenantGrainState>(slug)!;
        Assert.DoesNotContain("covered", stored.Account.Reservations.Keys);
        var cover = Assert.Single(stored.Account.Reservations.Values, r => r.Cover);
        Assert.True(cover.EstimatedCostUsd >= 1m && cover.Executions >= 1, $"the stored cover ({cover.EstimatedCostUsd} USD, {cover.Executions} calls) does not hold the grant");
        Assert.True(cover.ExpiresAt >= covered.Reservation!.ExpiresAt, "the stored cover expires before the grant it stands for");

        // A restart now would load exactly this: both calls in flight stay held.
        var recovered = new BudgetAccount(stored.Account).GetStatus(Rules(10m), _fixture.Time.GetUtcNow());
        Assert.True(recovered.Limits[0].Reserved >= 2m, $"after a restart only {recovered.Limits[0].Reserved} USD would be held for 2 USD in flight");
        Assert.Equal(1, recovered.HeldCovers);

        // In memory the cover is nowhere: the status shows the two calls only.
        var live = await grain.GetStatusAsync();
        Assert.Equal((2, 0, 2m), (live.OpenReservations, live.HeldCovers, live.Limits[0].Reserved));
        _fixture.Storage.ReleaseWrites();
    }

    [Fact]
    public async Task A_grant_under_the_callers_own_request_id_is_never_covered_so_a_failed_write_cannot_free_the_id_for_a_retry()
    {
        // "first" is written with a cover that would hold another 1 USD grant.
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        Assert.True((await grain.ReserveAsync(Reserve("first", 1m))).IsGranted);
        _fixture.Storage.HoldWrites();

        // Returned before its own write, the grant would exist in memory only: a failed write (or a crash) would forget
        // the id, and the caller's retry would be granted and sent upstream while the first call still runs.
        var reserve = grain.ReserveAsync(ReserveCallersId("callers-id", 1m));
        await Task.WhenAny(reserve, _fixture.Storage.WriteStarted).WaitAsync(Patience);
        Assert.False(reserve.IsCompleted, "a grant under the caller's request id came back before storage held it");
        _fixture.Storage.ReleaseWrites();
        Assert.True((await reserve.WaitAsync(Patience)).IsGranted);
        Assert.Contains("callers-id", _fixture.Storage.LastWritten<TenantGrainState>(slug)!.Account.Reservations.Keys);

        // After a failed write the grain decides on what storage holds: the id is still in progress.
        _fixture.Storage.FailWrites = new IOException("disk full");
        await Assert.ThrowsAnyAsync<Exception>(() => grain.ReserveAsync(Reserve("lost", 5m)).WaitAsync(Patience));
        _fixture.Storage.FailWrites = null;
        Assert.Equal(ReservationOutcome.InProgress, (await grain.ReserveAsync(ReserveCallersId("callers-id", 1m))).Outcome);
    }

    [Fact]
    public async Task A_grant_larger_than_the_cover_waits_for_its_write()
    {
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 100\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        Assert.True((await grain.ReserveAsync(Reserve("small", 1m))).IsGranted);

        await AssertGrantedOnlyAfterItsWrite(grain, Reserve("large", 5m), "a grant larger than the stored cover was returned before its write");
    }

    [Fact]
    public async Task After_a_failed_write_the_cover_read_back_holds_the_budget_and_nothing_more_is_covered()
    {
        var (_, grain, covered) = await GrantOneThenOneCoveredWithWritesHeld(dailyCapUsd: 4);
        Assert.True(covered.IsGranted);
        _fixture.Storage.FailWrites = new IOException("disk full");
        _fixture.Storage.ReleaseWrites();

        // More tokens than the cover has left, so it waits for its write, which fails.
        var uncovered = await Assert.ThrowsAnyAsync<Exception>(() => grain.ReserveAsync(Reserve("uncovered", 0.5m) with { EstimatedTokens = 15 }).WaitAsync(Patience));
        Assert.Contains("disk full", uncovered.Message, StringComparison.Ordinal);
        _fixture.Storage.FailWrites = null;

        // Storage never heard of "covered", but its cover (2 USD) is held: only 4 - 1 - 2 = 1 USD is left.
        var status = await grain.GetStatusAsync();
        Assert.Equal((1, 1), (status.OpenReservations, status.HeldCovers));
        Assert.Equal(1m, status.Limits[0].Remaining);
        Assert.Equal(ReservationOutcome.Denied, (await grain.ReserveAsync(Reserve("too-much", 1.5m))).Outcome);

        // The call that was in flight still settles: its usage is recorded although storage lost its reservation.
        var settled = await grain.SettleAsync(new SettleRequest { RequestId = "covered", Workspace = "main", ActualCostUsd = 0.5m }, ExecutionDetails.WithStatus("ok"));
        Assert.Equal(SettleResult.SettledWithoutReservation, settled.Result);
    }

    [Fact]
    public async Task An_etag_conflict_deactivates_the_activation_and_the_next_call_decides_on_durable_state()
    {
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        Assert.True((await grain.ReserveAsync(Reserve("kept", 1m))).IsGranted);
        var before = Activation(grain);

        // Another activation wrote first: this one's grant (too large for the cover, so it waits for its write) fails.
        _fixture.Storage.FailWrites = new InconsistentStateException("another activation wrote first", "etag-stored", "etag-expected");
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => grain.ReserveAsync(Reserve("lost", 5m)).WaitAsync(Patience));
        Assert.Contains("another activation wrote first", conflict.Message, StringComparison.Ordinal);
        await _fixture.Cluster.WaitForDeactivationAsync(grain).WaitAsync(Patience);
        _fixture.Storage.FailWrites = null;

        var status = await grain.GetStatusAsync();
        Assert.NotEqual(before, Activation(grain));
        Assert.Equal(1, status.OpenReservations);
        Assert.True((await grain.ReserveAsync(Reserve("lost", 5m))).IsGranted);
    }

    [Fact]
    public async Task The_maintenance_timer_runs_on_the_grain_clock_and_stores_expired_reservations_without_a_call()
    {
        var slug = _fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        Assert.True((await grain.ReserveAsync(Reserve("orphan", 1m))).IsGranted);
        Assert.Contains("orphan", _fixture.Storage.LastWritten<TenantGrainState>(slug)!.Account.Reservations.Keys);
        var swept = _fixture.Storage.NextWriteOf(slug);

        // Past the 10-minute reservation TTL (and the cover's 5 s more); the 30 s maintenance tick is a grain timer.
        _fixture.Time.Advance(TimeSpan.FromMinutes(11));
        await swept.WaitAsync(Patience);

        var stored = _fixture.Storage.LastWritten<TenantGrainState>(slug)!;
        Assert.Empty(stored.Account.Reservations);
    }

    private ActivationId Activation(ITenantGrain grain) =>
        _fixture.Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.ActivationId : default;

    /// <summary>
    /// A new tenant with a hard daily cap: "first" (1 USD) is granted and written (its write stores a 2 USD cover), then
    /// storage writes are held and "covered" (1 USD) is reserved.
    /// </summary>
    private async Task<(string Slug, ITenantGrain Grain, ReservationDecision Covered)> GrantOneThenOneCoveredWithWritesHeld(decimal dailyCapUsd)
    {
        var slug = _fixture.Tenants.AddTenant(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"daily_cap_usd: {dailyCapUsd}\nenforcement: hard\n"));
        var grain = _fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);
        Assert.True((await grain.ReserveAsync(Reserve("first", 1m))).IsGranted);
        _fixture.Storage.HoldWrites();
        return (slug, grain, await grain.ReserveAsync(Reserve("covered", 1m)).WaitAsync(Patience));
    }

    /// <summary>Holds storage writes, reserves, and asserts the grant comes only once its own write is let through.</summary>
    private async Task AssertGrantedOnlyAfterItsWrite(ITenantGrain grain, ReservationRequest request, string failure)
    {
        _fixture.Storage.HoldWrites();
        var reserve = grain.ReserveAsync(request);
        await _fixture.Storage.WriteStarted.WaitAsync(Patience);

        Assert.False(reserve.IsCompleted, failure);
        _fixture.Storage.ReleaseWrites();
        Assert.True((await reserve.WaitAsync(Patience)).IsGranted);
    }

    private static BudgetRules Rules(decimal dailyCapUsd) =>
        new(new Tenancy.BudgetLimits { DailyCapUsd = dailyCapUsd, Enforcement = Tenancy.Enforcement.Hard }, TimeZoneInfo.Utc, null, null);
}
