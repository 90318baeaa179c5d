using System.Text.Json;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.OpenRouter.Wire;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Routing;

/// <summary>
/// What a request may make upstream bill is what its reservation covers: every choice of <c>n</c>, the larger of the two
/// token fields, and limits as they are in effect (a runtime override included).
/// </summary>
[Collection(RouterCollection.Name)]
public sealed class WorstCaseTests(RouterFixture fixture) : IDisposable
{
    private const string Mini = "openai/gpt-4o-mini";
    private const string Gpt4o = "openai/gpt-4o";

    public void Dispose() => fixture.Simulator.State.Reset();

    private static RouteRequest Call(string tenant, string model = Mini, int? maxTokens = 100, int? maxCompletionTokens = null, int? n = null) => new()
    {
        Context = new TenantContext(tenant, "main"),
        Body = new ChatCompletionRequest
        {
            Model = model,
            MaxTokens = maxTokens,
            MaxCompletionTokens = maxCompletionTokens,
            N = n,
            Messages = [ChatMessage.Create("user", "Write a long story")],
        },
    };

    private ITenantGrain Grain(string tenant) => fixture.Cluster.Client.GetGrain<ITenantGrain>(tenant);

    private async Task<LimitStatus> DailyCost(string tenant) =>
        (await Grain(tenant).GetStatusAsync()).Limits.Single(l => l.Workspace is null && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);

    private JsonElement LastUpstreamBody() => JsonDocument.Parse(fixture.Simulator.Requests.Recent[^1].Body!).RootElement;

    [Fact]
    public async Task Every_choice_of_n_is_reserved_so_a_hard_cap_refuses_what_n_would_overrun()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 0.001\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();
        fixture.Simulator.State.Defaults = new SimulatorKnobs { CompletionTokens = 100 };
        var before = fixture.Simulator.Requests.Count;

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant, n: 128)));

        Assert.Equal((RouteRefusal.BudgetDenied, 402), (refused.Reason, refused.StatusCode));
        Assert.True(refused.Denial!.Requested >= 128 * 100 * 0.0000006m, $"requested {refused.Denial.Requested}");
        Assert.Equal(before, fixture.Simulator.Requests.Count);
        Assert.Equal(0m, (await DailyCost(tenant)).Spent);
    }

    [Fact]
    public async Task A_granted_call_with_n_choices_costs_no_more_than_its_reservation()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();
        fixture.Simulator.State.Defaults = new SimulatorKnobs { CompletionTokens = 100 };

        var result = await router.CompleteAsync(Call(tenant, n: 3));

        Assert.Equal(300, result.CompletionTokens);
        Assert.True(result.CostUsd <= result.EstimatedCostUsd, $"cost {result.CostUsd} above the reserved {result.EstimatedCostUsd}");
        Assert.Equal(3, LastUpstreamBody().GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task The_larger_token_field_is_reserved_and_both_reach_upstream_capped_to_it()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: "max_tokens: 2000\ncache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();

        var result = await router.CompleteAsync(Call(tenant, maxTokens: 5, maxCompletionTokens: 100_000));

        // The simulator honours max_completion_tokens over max_tokens, as OpenAI's API does.
        Assert.True(result.CompletionTokens > 5, $"completion {result.CompletionTokens}");
        Assert.True(result.CostUsd <= result.EstimatedCostUsd, $"cost {result.CostUsd} above the reserved {result.EstimatedCostUsd}");
        var sent = LastUpstreamBody();
        Assert.Equal(2000, sent.GetProperty("max_tokens").GetInt32());
        Assert.Equal(2000, sent.GetProperty("max_completion_tokens").GetInt32());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(129)]
    public async Task A_number_of_choices_that_cannot_be_covered_is_refused_before_upstream(int n)
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();
        var before = fixture.Simulator.Requests.Count;

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant, n: n)));

        Assert.Equal(400, refused.StatusCode);
        Assert.Contains("'n'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Simulator.Requests.Count);
    }

    [Theory]
    [InlineData("0.75", "0.0005", Mini)]   // an override that lowers the cap switches to the model that fits
    [InlineData("0.0005", "0.75", Gpt4o)]  // one that raises it keeps the requested model
    public async Task Downshift_follows_max_per_request_as_a_runtime_override_sets_it(string yamlCap, string overrideCap, string expectedModel)
    {
        var tenant = fixture.Tenants.AddTenant($"daily_cap_usd: 10\nmax_per_request: {yamlCap}\nenforcement: hard\n",
            routingYaml: $"allowed_models: [{Gpt4o}, {Mini}]\n", policyYaml: "downshift: true\ncache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();
        var cap = decimal.Parse(overrideCap, System.Globalization.CultureInfo.InvariantCulture);
        await Grain(tenant).ConfigureBudgetAsync(new BudgetLimits { MaxPerRequest = cap });

        var result = await router.CompleteAsync(Call(tenant, model: Gpt4o, maxTokens: 500));

        Assert.Equal(expectedModel, result.Model);
        Assert.Equal(expectedModel, LastUpstreamBody().GetProperty("model").GetString());
        Assert.True(result.EstimatedCostUsd <= cap, $"estimate {result.EstimatedCostUsd}");
    }
}
