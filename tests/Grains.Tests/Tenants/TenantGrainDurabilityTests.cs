using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Tenancy;

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

    private static ReservationRequest Reserve(string id, decimal usd) =>
        new() { RequestId = id, Workspace = "main", Model = "openai/gpt-4o-mini", EstimatedCostUsd = usd, EstimatedTokens = 10 };

    private static async Task WaitForOpenReservations(ITenantGrain grain, int count)
    {
        // Reads interleave with pending writes (the grain is reentrant), so this observes in-memory decisions.
        using var timeout = new CancellationTokenSource(Patience);
        while ((await grain.GetStatusAsync()).OpenReservations < count)
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
        _fixture.Storage.HoldWrites();

        var reserve = grain.ReserveAsync(Reserve("durable", 1m));
        await _fixture.Storage.WriteStarted.WaitAsync(Patience);

        Assert.False(reserve.IsCompleted, "the grant was returned before its write completed");
        _fixture.Storage.ReleaseWrites();
        Assert.True((await reserve.WaitAsync(Patience)).IsGranted);
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
}
