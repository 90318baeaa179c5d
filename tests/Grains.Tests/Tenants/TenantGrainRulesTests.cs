using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Tests.Infrastructure;

namespace OrleansTenancy.Grains.Tests.Tenants;

/// <summary>
/// The rules a tenant grain decides on, whichever way they were set: the files, a workspace's own policy, a runtime
/// override. Each has one owner (the registry's merge), so every path sees the same limits and the same TTL.
/// </summary>
[Collection(TenantClusterCollection.Name)]
public sealed class TenantGrainRulesTests(TenantClusterFixture fixture)
{
    private ITenantGrain Grain(string slug) => fixture.Cluster.Client.GetGrain<ITenantGrain>(slug);

    private static ReservationRequest Reserve(string id, decimal usd, string workspace = "main") =>
        new() { RequestId = id, Workspace = workspace, Model = "m", EstimatedCostUsd = usd, EstimatedTokens = 1 };

    private static async Task<LimitStatus> DailyCost(ITenantGrain grain, string? workspace = null) =>
        (await grain.GetStatusAsync()).Limits.Single(l => l.Workspace == workspace && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);

    [Fact]
    public async Task A_workspace_reservation_ttl_is_honoured()
    {
        var slug = fixture.Tenants.AddTenant(
            "daily_cap_usd: 10\nenforcement: hard\n",
            workspacesYaml: "  main: {}\n  quick:\n    policy:\n      reservation_ttl_seconds: 30\n",
            policyYaml: "reservation_ttl_seconds: 600\n");
        var grain = Grain(slug);

        var quick = await grain.ReserveAsync(Reserve("q", 1m, "quick"));
        var main = await grain.ReserveAsync(Reserve("m", 1m));

        Assert.Equal(TimeSpan.FromSeconds(30), quick.Reservation!.ExpiresAt - quick.Reservation.CreatedAt);
        Assert.Equal(TimeSpan.FromSeconds(600), main.Reservation!.ExpiresAt - main.Reservation.CreatedAt);
    }

    [Fact]
    public async Task A_tenant_without_any_reservation_ttl_uses_the_documented_default()
    {
        var slug = fixture.Tenants.AddTenant("daily_cap_usd: 10\nenforcement: hard\n");

        var granted = await Grain(slug).ReserveAsync(Reserve("r", 1m));

        Assert.Equal(TimeSpan.FromMinutes(10), granted.Reservation!.ExpiresAt - granted.Reservation.CreatedAt);
    }

    [Fact]
    public async Task A_runtime_override_reaches_the_limits_a_workspace_inherits()
    {
        var slug = fixture.Tenants.AddTenant(
            "daily_cap_usd: 10\nenforcement: hard\n",
            workspacesYaml: "  main:\n    budgets:\n      monthly_cap_usd: 500\n");
        var grain = Grain(slug);
        await grain.ConfigureBudgetAsync(new BudgetLimits { DailyCapUsd = 100m });

        var raised = await grain.ReserveAsync(Reserve("big", 20m));
        var overCap = await grain.ReserveAsync(Reserve("over", 90m));

        Assert.Equal(ReservationOutcome.Granted, raised.Outcome);
        Assert.Equal(ReservationOutcome.Denied, overCap.Outcome);
        Assert.Equal((20m, 100m), ((await DailyCost(grain, "main")).Reserved, (await DailyCost(grain, "main")).Limit));
    }

    [Fact]
    public async Task A_runtime_override_of_enforcement_reaches_workspace_sub_caps()
    {
        var slug = fixture.Tenants.AddTenant(
            "daily_cap_usd: 1000\nenforcement: soft\n",
            workspacesYaml: "  main:\n    budgets:\n      daily_cap_usd: 500\n");
        var grain = Grain(slug);
        await grain.ConfigureBudgetAsync(new BudgetLimits { Enforcement = Enforcement.Hard });

        var overSubCap = await grain.ReserveAsync(Reserve("big", 600m));

        Assert.Equal(ReservationOutcome.Denied, overSubCap.Outcome);
        Assert.Equal(("main", BudgetMetric.CostUsd, BudgetPeriod.Day), (overSubCap.Denial!.Workspace, overSubCap.Denial.Metric, overSubCap.Denial.Period));
    }
}
