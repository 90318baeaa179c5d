using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.OpenRouter.Wire;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Routing;

[CollectionDefinition(Name)]
public sealed class RouterCollection : ICollectionFixture<RouterFixture>
{
    public const string Name = "router";
}

/// <summary>The money path against the OpenRouter simulator: each row of the budget failure table that lives here.</summary>
[Collection(RouterCollection.Name)]
public sealed class LlmRouterTests(RouterFixture fixture) : IDisposable
{
    private const string Mini = "openai/gpt-4o-mini";
    private const string Gpt4o = "openai/gpt-4o";

    public void Dispose() => fixture.Simulator.State.Reset();

    private static RouteRequest Call(string tenant, string? model = Mini, int? maxTokens = 50, string text = "Hello there, how are you?", IReadOnlyList<string>? fallbacks = null, string workspace = "main") => new()
    {
        Context = new TenantContext(tenant, workspace),
        Body = new ChatCompletionRequest
        {
            Model = model,
            Models = fallbacks,
            MaxTokens = maxTokens,
            Messages = [ChatMessage.Create("user", text)],
        },
    };

    /// <summary>The tenant's ledger rows, after the grain has sent the rows of every call that returned.</summary>
    private async Task<OrleansTenancy.Ledger.ExecutionPage> Rows(string tenant)
    {
        await Flushed(tenant);
        return await fixture.Ledger.ListExecutionsAsync(tenant, 10, null);
    }

    /// <summary>The settlements of every call that returned are stored and their rows sent to the ledger.</summary>
    private async Task Flushed(string tenant)
    {
        await fixture.SettledAsync();
        await fixture.Cluster.Client.GetGrain<ITenantGrain>(tenant).FlushUsageAsync();
    }

    /// <summary>The tenant's budget once the settlements of every call that returned are stored.</summary>
    private async Task<BudgetStatus> Status(string tenant)
    {
        await fixture.SettledAsync();
        return await fixture.Cluster.Client.GetGrain<ITenantGrain>(tenant).GetStatusAsync();
    }

    private static LimitStatus DailyCost(BudgetStatus status) =>
        status.Limits.Single(l => l.Workspace is null && l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);

    [Fact]
    public async Task A_call_settles_upstream_usage_cost_and_writes_one_ledger_row()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();

        var result = await router.CompleteAsync(Call(tenant));

        Assert.Equal(Mini, result.Model);
        Assert.True(result.CostUsd > 0);
        Assert.True(result.EstimatedCostUsd >= result.CostUsd);
        Assert.Equal(result.CostUsd, DailyCost(await Status(tenant)).Spent);
        Assert.Equal(0m, DailyCost(await Status(tenant)).Reserved);
        var row = Assert.Single((await Rows(tenant)).Items);
        Assert.Equal(result.CostUsd, row.CostUsd);
        Assert.Equal(result.EstimatedCostUsd, row.EstimatedCostUsd);
        Assert.Equal("ok", row.Status);
        Assert.Equal(result.PromptTokens, row.TokensIn);
    }

    [Fact]
    public async Task A_huge_max_tokens_is_capped_by_policy_and_model_and_the_unused_part_returns_at_settle()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 0.05\nenforcement: hard\n", policyYaml: "max_tokens: 2000\ncache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();

        var result = await router.CompleteAsync(Call(tenant, maxTokens: 1_000_000));

        // 2,000 completion tokens at the catalog price, not 1,000,000 (which would be $0.60 and be refused).
        Assert.True(result.EstimatedCostUsd < 0.0015m, $"estimate {result.EstimatedCostUsd}");
        var sent = fixture.Simulator.Requests.Recent[^1];
        Assert.Contains("\"max_tokens\":2000", sent.Body, StringComparison.Ordinal);
        Assert.Equal(0m, DailyCost(await Status(tenant)).Reserved);
    }

    [Fact]
    public async Task Concurrent_calls_against_a_small_hard_cap_never_spend_past_it()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 0.002\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            try
            {
                return await router.CompleteAsync(Call(tenant, maxTokens: 500, text: $"question {i}"));
            }
            catch (RouteRefusedException refused) when (refused.Reason == RouteRefusal.BudgetDenied)
            {
                Assert.Equal(402, refused.StatusCode);
                return null;
            }
        }));

        var granted = outcomes.OfType<RouteResult>().ToList();
        Assert.NotEmpty(granted);
        Assert.Contains(outcomes, o => o is null);
        var status = DailyCost(await Status(tenant));
        Assert.True(status.Spent <= 0.002m, $"spent {status.Spent}");

        // Budget a settle returns (worst case minus actual) may be granted again, so what counts is that the counters
        // hold exactly what the served calls cost, and that every served call, and no refused one, went upstream.
        Assert.Equal(granted.Sum(g => g.CostUsd), status.Spent);
        Assert.Equal(granted.Count, fixture.Simulator.Requests.Recent.Count(r => r.Body!.Contains("question", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_stream_disconnected_after_the_first_chunk_still_settles_a_non_zero_cost()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n");
        var (router, _) = fixture.Router();
        using var disconnect = new CancellationTokenSource();
        var chunks = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => router.StreamAsync(Call(tenant), (chunk, ct) =>
        {
            if (chunk.Choices.Count > 0 && ++chunks == 1)
            {
                disconnect.Cancel();
            }

            return ValueTask.CompletedTask;
        }, disconnect.Token));

        var row = Assert.Single((await Rows(tenant)).Items);
        Assert.Equal("cancelled", row.Status);
        Assert.True(row.CostUsd > 0, "a disconnected stream was recorded at $0");
        Assert.Equal(row.CostUsd, DailyCost(await Status(tenant)).Spent);
        Assert.Equal(0m, DailyCost(await Status(tenant)).Reserved);
    }

    [Theory]
    [InlineData(UsageChunkShape.EmptyDelta)]
    [InlineData(UsageChunkShape.NoChoices)]
    public async Task A_completed_stream_settles_the_usage_of_its_final_chunk(UsageChunkShape usageShape)
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n");
        var (router, _) = fixture.Router();
        fixture.Simulator.State.Defaults = new SimulatorKnobs { Cost = 0.000123m, UsageShape = usageShape };
        var text = new System.Text.StringBuilder();

        var result = await router.StreamAsync(Call(tenant), (chunk, _) =>
        {
            foreach (var choice in chunk.Choices)
            {
                text.Append(choice.Delta?.Content);
            }

            return ValueTask.CompletedTask;
        });

        Assert.NotEqual(0, text.Length);
        Assert.Equal(0.000123m, result.CostUsd);
        Assert.Equal(0.000123m, DailyCost(await Status(tenant)).Spent);
    }

    [Fact]
    public async Task A_stream_error_after_output_settles_what_was_consumed_and_surfaces_the_error()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n");
        var (router, _) = fixture.Router();
        fixture.Simulator.State.Defaults = new SimulatorKnobs { StreamErrorAfter = 1 };

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => router.StreamAsync(Call(tenant), (_, _) => ValueTask.CompletedTask));

        Assert.Equal(RouteRefusal.Upstream, refused.Reason);
        var row = Assert.Single((await Rows(tenant)).Items);
        Assert.Equal("incomplete", row.Status);
        Assert.True(row.CostUsd > 0);
        Assert.False((await fixture.Cluster.Client.GetGrain<ITenantGrain>(tenant).ReconcileAsync()).Changed);
    }

    [Fact]
    public async Task A_paid_fallback_is_checked_against_the_budget_before_it_is_called()
    {
        var routing = "pricing:\n  sim/error-503: { prompt: 0, completion: 0 }\n";
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 0.0001\nenforcement: hard\n", routingYaml: routing, policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() =>
            router.CompleteAsync(Call(tenant, model: "sim/error-503", maxTokens: 4000, fallbacks: [Gpt4o])));

        Assert.Equal(RouteRefusal.BudgetDenied, refused.Reason);
        Assert.DoesNotContain(fixture.Simulator.Requests.Recent, r => r.ModelUsed == Gpt4o);
        var rows = (await Rows(tenant)).Items;
        Assert.Equal("error", Assert.Single(rows).Status);
        Assert.Equal(0m, DailyCost(await Status(tenant)).Reserved);
    }

    [Fact]
    public async Task An_affordable_fallback_runs_under_its_own_reservation()
    {
        var routing = "pricing:\n  sim/error-502: { prompt: 0, completion: 0 }\n";
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", routingYaml: routing, policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();

        var result = await router.CompleteAsync(Call(tenant, model: "sim/error-502", fallbacks: [Mini]));

        Assert.Equal(Mini, result.Model);

        // The failed primary charged nothing and released the id; the fallback ran under it, so the id's one row is
        // the call's outcome.
        var row = Assert.Single((await Rows(tenant)).Items);
        Assert.Equal(("ok", Mini, result.CostUsd, result.RequestId), (row.Status, row.Model, row.CostUsd, row.RequestId));
        var sent = fixture.Simulator.Requests.Recent.TakeLast(2).ToList();
        Assert.All(sent, r => Assert.DoesNotContain("\"models\"", r.Body, StringComparison.Ordinal));
        Assert.All(sent, r => Assert.Equal(result.RequestId, r.RequestId));
    }

    [Fact]
    public async Task An_unknown_model_is_never_free_and_is_refused_before_upstream()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n");
        var (router, _) = fixture.Router();
        var before = fixture.Simulator.Requests.Count;

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant, model: "acme/secret-model")));

        Assert.Equal(RouteRefusal.UnknownModelPrice, refused.Reason);
        Assert.Contains("acme/secret-model", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Simulator.Requests.Count);
    }

    [Theory]
    [InlineData(429, RouteRefusal.Upstream, 429)]
    [InlineData(402, RouteRefusal.Upstream, 402)]
    [InlineData(503, RouteRefusal.Upstream, 503)]
    [InlineData(502, RouteRefusal.Upstream, 502)]
    [InlineData(400, RouteRefusal.Upstream, 400)]
    public async Task Upstream_errors_map_to_clear_statuses_and_release_the_reservation(int upstreamStatus, RouteRefusal reason, int status)
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();
        fixture.Simulator.State.Defaults = new SimulatorKnobs { Error = upstreamStatus, RetryAfterSeconds = upstreamStatus == 429 ? 7 : null };

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant)));

        Assert.Equal(reason, refused.Reason);
        Assert.Equal(status, refused.StatusCode);
        if (upstreamStatus == 429)
        {
            Assert.Equal(TimeSpan.FromSeconds(7), refused.RetryAfter);
        }

        var daily = DailyCost(await Status(tenant));
        Assert.Equal(0m, daily.Reserved);
        Assert.Equal(0m, daily.Spent);
        Assert.Equal("error", Assert.Single((await Rows(tenant)).Items).Status);
    }

    [Fact]
    public async Task A_model_outside_the_allow_list_is_refused_with_403_before_upstream()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\n", routingYaml: $"allowed_models: [{Mini}]\n");
        var (router, _) = fixture.Router();

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant, model: Gpt4o)));

        Assert.Equal(RouteRefusal.ModelNotAllowed, refused.Reason);
        Assert.Equal(403, refused.StatusCode);
        Assert.Contains(Gpt4o, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_per_request_cap_refuses_an_expensive_call_and_downshift_picks_the_cheapest_allowed_model_that_fits()
    {
        var routing = $"allowed_models: [{Gpt4o}, {Mini}, anthropic/claude-sonnet-4]\n";
        var tenant = fixture.Tenants.AddTenant("max_per_request: 0.002\nenforcement: hard\n", routingYaml: routing, policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant, model: Gpt4o, maxTokens: 1000)));
        var downshifted = await router.CompleteAsync(Call(tenant, model: Gpt4o, maxTokens: 1000) with { Downshift = true });

        Assert.Equal(BudgetMetric.MaxPerRequest, refused.Denial!.Metric);
        Assert.Equal(Mini, downshifted.Model);
        Assert.True(downshifted.EstimatedCostUsd <= 0.002m);
    }

    [Fact]
    public async Task Task_overrides_and_provider_preferences_reach_upstream()
    {
        var routing = $"models:\n  default: {Mini}\n  summarize: {Gpt4o}\nproviders:\n  order: [azure, openai]\n  allow_fallbacks: false\n";
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\n", routingYaml: routing, policyYaml: "cache_ttl_seconds: 0\n");
        var (router, metrics) = fixture.Router();
        using var probe = new MetricsProbe(metrics);

        var result = await router.CompleteAsync(Call(tenant, model: null) with { Task = "summarize" });

        Assert.Equal(Gpt4o, result.Model);
        var body = fixture.Simulator.Requests.Recent[^1].Body!;
        Assert.Contains("\"order\":[\"azure\",\"openai\"]", body, StringComparison.Ordinal);
        Assert.Contains("\"allow_fallbacks\":false", body, StringComparison.Ordinal);
        var selected = Assert.Single(probe.Tags("llm_model_selected_total"));
        Assert.Equal("summarize", selected["task"]);
        Assert.Equal("SimProvider", selected["provider"]); // the provider that served, not the first preference
        Assert.Equal(tenant, selected["tenant"]);
    }

    [Fact]
    public async Task A_tenant_rate_limit_answers_429_with_retry_after_until_the_window_passes()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\n", policyYaml: "requests_per_minute: 2\ncache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();

        await router.CompleteAsync(Call(tenant));
        await router.CompleteAsync(Call(tenant));
        var limited = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant)));
        fixture.Time.Advance(TimeSpan.FromSeconds(61)); // the tenant grain's clock: it holds the window
        await router.CompleteAsync(Call(tenant));

        Assert.Equal(RouteRefusal.RateLimited, limited.Reason);
        Assert.Equal(429, limited.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(1), limited.RetryAfter);
    }

    [Fact]
    public async Task Strict_mode_without_a_context_fails_and_emits_no_llm_metric()
    {
        var (router, metrics) = fixture.Router(strict: true);
        using var probe = new MetricsProbe(metrics);

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call("unused") with { Context = null }));

        Assert.Equal(RouteRefusal.ContextMissing, refused.Reason);
        Assert.Empty(probe.Measurements);
    }

    [Fact]
    public async Task Non_strict_mode_without_a_context_serves_default_main_and_counts_one_fallback()
    {
        var (router, metrics) = fixture.Router(strict: false);
        using var probe = new MetricsProbe(metrics);

        var result = await router.CompleteAsync(Call("unused") with { Context = null, RequestId = Guid.NewGuid().ToString("N") });

        Assert.Equal(TenantContext.Default, result.Context);
        Assert.True(result.FellBack);
        var fallback = Assert.Single(probe.Tags("tenancy_fallback_total"));
        Assert.Equal(("default", "main", "openrouter_service"), (fallback["tenant"], fallback["workspace"], fallback["component"]));
        Assert.All(probe.Measurements, m => Assert.Equal(("default", "main"), (m.Tags["tenant"], m.Tags["workspace"])));
        Assert.Contains(probe.Measurements, m => m.Name == "llm_requests_total");
    }

    [Fact]
    public async Task A_repeated_request_is_answered_from_the_workspace_cache_as_a_cached_execution()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\n", policyYaml: "cache_ttl_seconds: 300\n");
        var (router, metrics) = fixture.Router();
        using var probe = new MetricsProbe(metrics);
        var before = fixture.Simulator.Requests.Count;

        var first = await router.CompleteAsync(Call(tenant, text: "cache me"));
        var second = await router.CompleteAsync(Call(tenant, text: "cache me"));
        var otherWorkspaceTenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\n", policyYaml: "cache_ttl_seconds: 300\n");
        var elsewhere = await router.CompleteAsync(Call(otherWorkspaceTenant, text: "cache me"));

        Assert.False(first.Cached);
        Assert.True(second.Cached);
        Assert.False(elsewhere.Cached);
        Assert.Equal(2, fixture.Simulator.Requests.Count - before);
        Assert.Equal(first.Response!.Choices[0].Message!.Content!.GetText(), second.Response!.Choices[0].Message!.Content!.GetText());
        Assert.Equal(2, probe.Tags("llm_cache_misses_total").Count());
        Assert.Single(probe.Tags("llm_cache_hits_total"));
        var rows = (await Rows(tenant)).Items;
        Assert.Equal(2, rows.Count);
        Assert.Equal(0m, rows.Single(r => r.Cached).CostUsd);
        Assert.False((await fixture.Cluster.Client.GetGrain<ITenantGrain>(tenant).ReconcileAsync()).Changed);
    }

    [Fact]
    public async Task The_tenant_grain_publishes_the_remaining_budget_and_its_limit_after_each_write()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 2\nmonthly_cap_usd: 30\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var probes = fixture.Cluster.Silos
            .Select(s => new MetricsProbe(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OrleansTenancy.Grains.Telemetry.LlmMetrics>(s.ServiceProvider)))
            .ToList();
        var (router, _) = fixture.Router();

        var result = await router.CompleteAsync(Call(tenant));
        // The answer does not wait for the settlement to be stored.
        await Flushed(tenant);

        var published = probes.SelectMany(p => p.Measurements)
            .Where(m => m.Name == "tenant_budget_remaining_usd" && m.Tags["tenant"] == tenant)
            .ToList();
        Assert.Equal((double)(2m - result.CostUsd), published.Last(m => m.Tags["period"] == "day").Value, 9);
        Assert.Equal((double)(30m - result.CostUsd), published.Last(m => m.Tags["period"] == "month").Value, 9);
        var limits = probes.SelectMany(p => p.Measurements)
            .Where(m => m.Name == "tenant_budget_limit_usd" && m.Tags["tenant"] == tenant)
            .ToList();
        Assert.Equal(2, limits.Last(m => m.Tags["period"] == "day").Value);
        Assert.Equal(30, limits.Last(m => m.Tags["period"] == "month").Value);
        probes.ForEach(p => p.Dispose());
    }

    [Fact]
    public async Task The_router_grain_returns_answers_and_budget_refusals_to_cluster_clients()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 0.00001\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var grain = fixture.Cluster.Client.GetGrain<IRouterGrain>("router");

        var small = await grain.ChatAsync(new ChatCall { Context = new OrleansTenancy.GrainInterfaces.TenantContext(tenant, "main"), Model = "meta-llama/llama-3.2-3b-instruct:free", Messages = [new ChatTurn("user", "hi")] });
        var refused = await grain.ChatAsync(new ChatCall { Context = new OrleansTenancy.GrainInterfaces.TenantContext(tenant, "main"), Model = Gpt4o, MaxTokens = 1000, Messages = [new ChatTurn("user", "hi")] });

        Assert.Null(small.Refusal);
        Assert.False(string.IsNullOrEmpty(small.Text));
        Assert.Equal("budget_exceeded", refused.Refusal!.Code);
        Assert.Equal(402, refused.Refusal.StatusCode);
        Assert.Equal(BudgetMetric.CostUsd, refused.Refusal.Denial!.Metric);
    }
}
