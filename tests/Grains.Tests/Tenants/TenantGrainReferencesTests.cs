using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.Grains.Tests.Infrastructure;

namespace OrleansTenancy.Grains.Tests.Tenants;

/// <summary>The request path's tenant grain references: the same grains Orleans' own <c>GetGrain</c> reaches.</summary>
[Collection(TenantClusterCollection.Name)]
public sealed class TenantGrainReferencesTests(TenantClusterFixture fixture)
{
    private static ReservationRequest Reserve(string id, decimal usd) =>
        new() { RequestId = id, Workspace = "main", Model = "m", EstimatedCostUsd = usd, EstimatedTokens = 1 };

    [Fact]
    public async Task A_reference_made_from_the_key_alone_is_the_grain_GetGrain_returns_on_a_silo_and_on_a_client()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var other = fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");
        var silo = fixture.Cluster.Silos[1].ServiceProvider.GetRequiredService<IGrainFactory>();
        var client = fixture.Cluster.Client;

        foreach (var factory in new[] { silo, client })
        {
            var made = new TenantGrainReferences(factory).For(slug);
            var expected = (GrainReference)(object)factory.GetGrain<ITenantGrain>(slug);
            var reference = (GrainReference)(object)made;
            Assert.Equal((expected.GrainId, expected.InterfaceType), (reference.GrainId, reference.InterfaceType));
            Assert.NotEqual(expected.GrainId, ((GrainReference)(object)new TenantGrainReferences(factory).For(other)).GrainId);
        }

        // One grain behind both: a reservation made through one reference is what the other sees held.
        await new TenantGrainReferences(silo).For(slug).ReserveAsync(Reserve("held", 4m));
        var status = await client.GetGrain<ITenantGrain>(slug).GetStatusAsync();
        Assert.Equal(4m, status.Limits.Single(l => l.Workspace is null && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day).Reserved);
        Assert.Throws<ArgumentException>(() => new TenantGrainReferences(client).For(""));
    }
}
