using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.OpenRouter.Wire;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Routing;

/// <summary>What the budget tells operators: threshold alerts and the remaining budget per workspace.</summary>
[Collection(RouterCollection.Name)]
public sealed class BudgetSignalsTests(RouterFixture fixture) : IDisposable
{
    private const string Mini = "openai/gpt-4o-mini";

    public void Dispose() => fixture.Simulator.State.Reset();

    private static RouteRequest Call(string tenant, string workspace = "main") => new()
    {
        Context = new TenantContext(tenant, workspace),
        Body = new ChatCompletionRequest { Model = Mini, MaxTokens = 50, Messages = [ChatMessage.Create("user", "Hello")] },
    };

    /// <summary>Probes on the metrics of every silo (the tenant grain records on the silo it is active on).</summary>
    private List<MetricsProbe> SiloProbes() =>
        [.. fixture.Cluster.Silos.Select(s => new MetricsProbe(s.ServiceProvider.GetRequiredService<LlmMetrics>()))];

    [Fact]
    public async Task Every_threshold_a_settlement_crosses_fires_once_even_when_one_step_crosses_several()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: soft\nalert_thresholds: [50, 80, 100]\n", policyYaml: "cache_ttl_seconds: 0\n");
        var probes = SiloProbes();
        var (router, _) = fixture.Router();

        // The provider charges far more than the reservation's estimate: each threshold is crossed by a settlement.
        fixture.Simulator.State.Defaults = new SimulatorKnobs { Cost = 0.165m };
        for (var i = 0; i < 4; i++)
        {
            await router.CompleteAsync(Call(tenant));
        }

        fixture.Simulator.State.Defaults = new SimulatorKnobs { Cost = 0.35m };
        await router.CompleteAsync(Call(tenant));
        await router.CompleteAsync(Call(tenant));
        await fixture.SettledAsync();

        var alerts = probes.SelectMany(p => p.Measurements)
            .Where(m => m.Name == "tenant_budget_alerts_total" && m.Tags["tenant"] == tenant)
            .ToList();
        probes.ForEach(p => p.Dispose());
        Assert.Equal(["100", "50", "80"], alerts.Select(a => a.Tags["threshold"] ?? "").Order().ToArray());
        Assert.All(alerts, a => Assert.Equal(("*", "daily_cap_usd"), (a.Tags["workspace"], a.Tags["limit"])));
    }

    [Fact]
    public async Task The_remaining_budget_carries_the_workspace_and_each_sub_cap_has_its_own_series()
    {
        var tenant = fixture.Tenants.AddTenant(
            "daily_cap_usd: 2\nmonthly_cap_usd: 30\nenforcement: hard\n",
            workspacesYaml: "  main:\n    budgets:\n      daily_cap_usd: 1\n",
            policyYaml: "cache_ttl_seconds: 0\n");
        var probes = SiloProbes();
        var (router, _) = fixture.Router();

        var result = await router.CompleteAsync(Call(tenant));
        await fixture.SettledAsync();

        var published = probes.SelectMany(p => p.Measurements)
            .Where(m => m.Name == "tenant_budget_remaining_usd" && m.Tags["tenant"] == tenant)
            .ToList();
        probes.ForEach(p => p.Dispose());
        double Last(string workspace, string period) => published.Last(m => m.Tags.GetValueOrDefault("workspace") == workspace && m.Tags["period"] == period).Value;
        Assert.Equal((double)(2m - result.CostUsd), Last("*", "day"), 9);
        Assert.Equal((double)(30m - result.CostUsd), Last("*", "month"), 9);
        Assert.Equal((double)(1m - result.CostUsd), Last("main", "day"), 9);
    }
}
