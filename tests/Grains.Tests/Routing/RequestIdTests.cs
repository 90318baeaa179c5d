using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.TestSupport;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Tests.Routing;

/// <summary>
/// The request id as an idempotency key through the router: duplicates in flight never reach upstream twice, a retry
/// after a failure that charged nothing runs, a settled id stays finished.
/// </summary>
[Collection(RouterCollection.Name)]
public sealed class RequestIdTests(RouterFixture fixture) : IDisposable
{
    private const string Mini = "openai/gpt-4o-mini";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public void Dispose() => fixture.Simulator.State.Reset();

    private static RouteRequest Call(string tenant, string id, string? model = Mini, IReadOnlyList<string>? fallbacks = null, string text = "Hello there") => new()
    {
        Context = new TenantContext(tenant, "main"),
        RequestId = id,
        Body = new ChatCompletionRequest
        {
            Model = model,
            Models = fallbacks,
            MaxTokens = 50,
            Messages = [ChatMessage.Create("user", text)],
        },
    };

    private static string NewId() => "req-" + Guid.NewGuid().ToString("N");

    private ITenantGrain Grain(string tenant) => fixture.Cluster.Client.GetGrain<ITenantGrain>(tenant);

    private int UpstreamCalls(string id) => fixture.Simulator.Requests.Recent.Count(r => r.RequestId == id);

    private async Task<IReadOnlyList<OrleansTenancy.Ledger.UsageRecord>> Rows(string tenant)
    {
        await fixture.SettledAsync();
        await Grain(tenant).FlushUsageAsync();
        return (await fixture.Ledger.ListExecutionsAsync(tenant, 50, null)).Items;
    }

    /// <summary>Holds every upstream answer until released; completes <see cref="Arrived"/> when the first request is in.</summary>
    private sealed class HeldUpstream
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldUpstream(SimulatorState simulator) => simulator.AnswerGate = _ =>
        {
            _arrived.TrySetResult();
            return _release.Task;
        };

        public Task Arrived => _arrived.Task;

        public void Release() => _release.TrySetResult();
    }

    [Fact]
    public async Task Concurrent_duplicates_reach_upstream_once_wait_for_the_first_answer_or_are_told_it_is_in_progress()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();
        var (otherSilo, _) = fixture.Router();
        var upstream = new HeldUpstream(fixture.Simulator.State);
        var id = NewId();

        var first = router.CompleteAsync(Call(tenant, id));
        await upstream.Arrived.WaitAsync(Patience);
        var sameSilo = Enumerable.Range(0, 9).Select(_ => router.CompleteAsync(Call(tenant, id))).ToList();
        var elsewhere = await Assert.ThrowsAsync<RouteRefusedException>(() => otherSilo.CompleteAsync(Call(tenant, id)).WaitAsync(Patience));
        var streamed = await Assert.ThrowsAsync<RouteRefusedException>(() => otherSilo.StreamAsync(Call(tenant, id), (_, _) => ValueTask.CompletedTask).WaitAsync(Patience));
        upstream.Release();
        var answer = await first.WaitAsync(Patience);
        var duplicates = await Task.WhenAll(sameSilo).WaitAsync(Patience);

        Assert.Equal((409, "request_in_progress"), (elsewhere.StatusCode, elsewhere.Code));
        Assert.Equal((409, "request_in_progress"), (streamed.StatusCode, streamed.Code));
        Assert.All(duplicates, d => Assert.Equal(answer.Response!.Id, d.Response!.Id));
        Assert.Equal(1, UpstreamCalls(id));
        var row = Assert.Single(await Rows(tenant));
        Assert.Equal(answer.CostUsd, row.CostUsd);
    }

    [Theory]
    [InlineData(503, null)]
    [InlineData(429, 2)]
    public async Task A_retry_after_an_upstream_failure_that_charged_nothing_runs_under_the_same_id(int status, int? retryAfter)
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();
        fixture.Simulator.State.Defaults = new SimulatorKnobs { Error = status, FailTimes = 1, RetryAfterSeconds = retryAfter };
        var id = NewId();

        var failed = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant, id)));
        var retried = await router.CompleteAsync(Call(tenant, id));

        // Orleans does not promise that the settlement sent behind the answer reaches the tenant grain before a later
        // call: until it does, a retry is told the call is in progress, and after it, that the id is finished.
        await fixture.SettledAsync();
        var again = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant, id)));

        Assert.Equal(status, failed.StatusCode);
        Assert.True(retried.CostUsd > 0);
        Assert.Equal((409, "request_id_reused"), (again.StatusCode, again.Code));
        Assert.Equal(2, UpstreamCalls(id));
        var row = Assert.Single(await Rows(tenant));
        Assert.Equal((id, "ok", retried.CostUsd), (row.RequestId, row.Status, row.CostUsd));
        Assert.False((await Grain(tenant).ReconcileAsync()).Changed);
    }

    [Fact]
    public async Task A_call_without_an_id_is_given_a_version_7_id_that_sorts_after_the_ids_given_before_it()
    {
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();
        var given = new List<string>();

        for (var i = 0; i < 12; i++)
        {
            given.Add((await router.CompleteAsync(Call(tenant, id: null!))).RequestId!);
            fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // In time order, the ledger's (tenant, request id) index grows at its end instead of on a random page per row.
        Assert.Equal(given.Order(StringComparer.Ordinal), given);
        Assert.All(given, id => Assert.Matches(RequestIdShape.Version7, id));
        Assert.Equal(given.Count, (await Rows(tenant)).Select(r => r.RequestId).Intersect(given).Count());
    }

    [Fact]
    public async Task An_id_settled_through_a_fallback_stays_finished()
    {
        var routing = "pricing:\n  sim/error-502: { prompt: 0, completion: 0 }\n";
        var tenant = fixture.Tenants.AddTenant("daily_cap_usd: 1\nenforcement: hard\n", routingYaml: routing, policyYaml: "cache_ttl_seconds: 0\n");
        var (router, _) = fixture.Router();
        var id = NewId();

        var answered = await router.CompleteAsync(Call(tenant, id, model: "sim/error-502", fallbacks: [Mini]));
        await fixture.SettledAsync();
        var retry = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant, id, model: "sim/error-502", fallbacks: [Mini])));

        Assert.Equal(Mini, answered.Model);
        Assert.Equal("request_id_reused", retry.Code);
        Assert.Equal(2, UpstreamCalls(id));
        var row = Assert.Single(await Rows(tenant));
        Assert.Equal((Mini, "ok", answered.CostUsd), (row.Model, row.Status, row.CostUsd));
    }

    [Fact]
    public async Task A_cache_hit_is_an_execution_and_a_hard_daily_executions_limit_refuses_it()
    {
        var tenant = fixture.Tenants.AddTenant("daily_executions: 2\nenforcement: hard\n", policyYaml: "cache_ttl_seconds: 300\n");
        var (router, _) = fixture.Router();

        var miss = await router.CompleteAsync(Call(tenant, NewId(), text: "cache me"));
        var hit = await router.CompleteAsync(Call(tenant, NewId(), text: "cache me"));
        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => router.CompleteAsync(Call(tenant, NewId(), text: "cache me")));

        Assert.True((!miss.Cached, hit.Cached) == (true, true));
        Assert.Equal((RouteRefusal.BudgetDenied, 402, BudgetMetric.Executions), (refused.Reason, refused.StatusCode, refused.Denial!.Metric));
        await fixture.SettledAsync();
        var status = await Grain(tenant).GetStatusAsync();
        var executions = status.Limits.Single(l => l.Workspace is null && l.Metric == BudgetMetric.Executions && l.Period == BudgetPeriod.Day);
        Assert.Equal((2m, 0m), (executions.Spent, executions.Reserved));
    }
}
