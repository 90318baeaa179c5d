using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Wire;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Routing;

/// <summary>
/// A settlement that cannot be stored is never dropped: it waits in a durable outbox and is retried until it is
/// stored, while the reservation it replaces holds the call's worst case.
/// </summary>
[Collection(RouterCollection.Name)]
public sealed class SettlementDurabilityTests(RouterFixture fixture) : IDisposable
{
    private const string Mini = "openai/gpt-4o-mini";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public void Dispose()
    {
        fixture.Simulator.State.Reset();
        fixture.Storage.FailWrites = null;
    }

    private static RouteRequest Call(string tenant) => new()
    {
        Context = new TenantContext(tenant, "main"),
        Body = new ChatCompletionRequest { Model = Mini, MaxTokens = 50, Messages = [ChatMessage.Create("user", "Hello")] },
    };

    private ITenantGrain Grain(string tenant) => fixture.Cluster.Client.GetGrain<ITenantGrain>(tenant);

    private static LimitStatus DailyCost(BudgetStatus status) =>
        status.Limits.Single(l => l.Workspace is null && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);

    [Fact]
    public async Task A_settlement_that_cannot_be_stored_is_retried_until_it_is_and_its_reservation_holds_the_budget_meanwhile()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var retries = new TestClock();
        var silo = fixture.Silo(settlementClock: retries);
        fixture.Simulator.State.AnswerGate = _ =>
        {
            // Storage fails once upstream has the call: the reservation is durable, the settlement cannot be stored.
            fixture.Storage.FailWrites = new InvalidOperationException("storage is down");
            return Task.CompletedTask;
        };
        var armed = retries.WhenTimerArmed();

        var result = await silo.Router.CompleteAsync(Call(tenant));
        for (var attempt = 0; attempt < 6; attempt++)
        {
            await armed.WaitAsync(Patience);
            armed = retries.WhenTimerArmed();
            retries.Advance(TimeSpan.FromMinutes(1));
        }

        await armed.WaitAsync(Patience);
        var held = DailyCost(await Grain(tenant).GetStatusAsync());
        fixture.Storage.FailWrites = null;
        retries.Advance(TimeSpan.FromMinutes(1));
        await silo.Settlements.DrainAsync().WaitAsync(Patience);

        // Held: the call's worst case (and, after the failed write re-read the state, the cover stored with it).
        Assert.Equal(0m, held.Spent);
        Assert.True(held.Reserved >= result.EstimatedCostUsd, $"reserved {held.Reserved}, the call's worst case {result.EstimatedCostUsd}");
        var settled = DailyCost(await Grain(tenant).GetStatusAsync());
        Assert.Equal((result.CostUsd, held.Reserved - result.EstimatedCostUsd), (settled.Spent, settled.Reserved));
    }
}
