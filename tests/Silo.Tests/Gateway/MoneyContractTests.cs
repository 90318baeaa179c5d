using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>
/// The money promises of the README, tried through the real gateway as a hostile caller would: concurrent duplicates
/// and retries of one <c>X-Request-Id</c>, a restart, <c>n</c> choices, cache hits and limits changed at run time.
/// </summary>
public sealed class MoneyContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private HttpRequestMessage Chat(string? requestId = null, object? body = null, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Headers = { { "Authorization", "Bearer " + (key ?? _host.StaffKey) } },
            Content = JsonContent.Create(body ?? new { model = "openai/gpt-4o-mini", max_tokens = 50, messages = new[] { new { role = "user", content = "Say hello" } } }),
        };
        if (requestId is not null)
        {
            request.Headers.Add("X-Request-Id", requestId);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using var client = _host.CreateClient();
        using (request)
        {
            return await client.SendAsync(request);
        }
    }

    private async Task<JsonElement> BudgetAsync(string tenant)
    {
        using var response = await SendAsync(_host.Admin(HttpMethod.Get, $"/admin/tenants/{tenant}/budget"));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task OverrideAsync(string tenant, object limits)
    {
        using var response = await SendAsync(_host.Admin(HttpMethod.Put, $"/admin/tenants/{tenant}/budget", limits));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static decimal DailySpent(JsonElement budget) => budget.GetProperty("status").GetProperty("limits").EnumerateArray()
        .First(l => l.GetProperty("metric").GetString() == "cost_usd" && l.GetProperty("period").GetString() == "day" && (!l.TryGetProperty("workspace", out var workspace) || workspace.ValueKind == JsonValueKind.Null))
        .GetProperty("spent").GetDecimal();

    private static async Task<string> CodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString()!;

    private int UpstreamCalls(string id) => _host.Simulator.Requests.Recent.Count(r => r.RequestId == id);

    /// <summary>Holds every upstream answer until <c>Release</c> runs; <c>Arrived</c> completes once the first request is in.</summary>
    private (Task Arrived, Action Release) HoldUpstream()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _host.Simulator.State.AnswerGate = _ =>
        {
            arrived.TrySetResult();
            return release.Task;
        };
        return (arrived.Task, () => release.TrySetResult());
    }

    [Fact]
    public async Task Ten_concurrent_requests_with_one_request_id_reach_upstream_once_and_are_charged_once()
    {
        var (arrived, release) = HoldUpstream();
        var id = "dup-" + Guid.NewGuid().ToString("N");

        var first = SendAsync(Chat(id));
        await arrived.WaitAsync(Patience);
        var others = Enumerable.Range(0, 9).Select(_ => SendAsync(Chat(id))).ToList();
        release();
        var responses = await Task.WhenAll(others.Prepend(first)).WaitAsync(Patience);

        Assert.Equal(1, UpstreamCalls(id));
        var answered = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        Assert.NotEmpty(answered);
        var ids = await Task.WhenAll(answered.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()));
        Assert.Single(ids.Distinct());
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            // One that reached the silo only after the first call had finished finds the id used up.
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains(await CodeOf(refused), (string[])["request_in_progress", "request_id_reused"]);
        }

        await _host.SettledAsync();
        using var usage = await SendAsync(_host.Admin(HttpMethod.Get, "/admin/tenants/acme/executions"));
        var rows = (await usage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        Assert.Single(rows, r => r.GetProperty("request_id").GetString() == id);
    }

    [Fact]
    public async Task A_request_with_another_body_under_the_id_of_a_running_call_is_409_in_progress_and_never_shares_its_answer()
    {
        var (arrived, release) = HoldUpstream();
        var id = "other-body-" + Guid.NewGuid().ToString("N");
        var otherBody = new { model = "openai/gpt-4o-mini", max_tokens = 50, messages = new[] { new { role = "user", content = "Something else entirely" } } };

        var first = SendAsync(Chat(id));
        await arrived.WaitAsync(Patience);
        using var other = await SendAsync(Chat(id, otherBody)).WaitAsync(Patience);
        release();
        using var answered = await first.WaitAsync(Patience);

        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("request_in_progress", await CodeOf(other));
        Assert.Equal("1", other.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(1, UpstreamCalls(id));
    }

    [Fact]
    public async Task A_retry_with_the_same_request_id_after_an_upstream_503_is_served()
    {
        _host.Simulator.State.Defaults = new SimulatorKnobs { Error = 503, FailTimes = 1 };
        var id = "retry-" + Guid.NewGuid().ToString("N");

        using var failed = await SendAsync(Chat(id));
        using var retried = await SendAsync(Chat(id));
        await _host.SettledAsync();
        using var again = await SendAsync(Chat(id));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("request_id_reused", await CodeOf(again));
        Assert.Equal(2, UpstreamCalls(id));
    }

    [Fact]
    public async Task A_request_id_the_budget_refused_is_served_when_sent_again_after_the_cap_is_raised()
    {
        await OverrideAsync("acme", new { daily_cap_usd = 0.000001m });
        var id = "refused-then-served-" + Guid.NewGuid().ToString("N");

        using var refused = await SendAsync(Chat(id));
        await OverrideAsync("acme", new { daily_cap_usd = 10m });
        using var served = await SendAsync(Chat(id));

        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(1, UpstreamCalls(id));
    }

    [Fact]
    public async Task A_request_id_settled_before_a_restart_is_not_served_again_after_it()
    {
        var id = "restart-" + Guid.NewGuid().ToString("N");
        using var served = await SendAsync(Chat(id));
        await _host.SettledAsync();
        var spent = DailySpent(await BudgetAsync("acme"));

        await _host.RestartAsync();
        using var again = await SendAsync(Chat(id));

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("request_id_reused", await CodeOf(again));
        Assert.Equal(1, UpstreamCalls(id));
        Assert.Equal(spent, DailySpent(await BudgetAsync("acme")));
    }

    [Fact]
    public async Task A_settlement_left_in_the_outbox_when_the_silo_stopped_is_stored_when_it_starts_again()
    {
        var spent = DailySpent(await BudgetAsync("acme"));
        var kept = new PendingSettlement(
            "acme",
            new SettleRequest { RequestId = "kept-" + Guid.NewGuid().ToString("N"), Workspace = "staff", ActualCostUsd = 0.25m, PromptTokens = 10, CompletionTokens = 20 },
            new ExecutionDetails { Status = "ok", Model = "openai/gpt-4o-mini" });

        await _host.RestartAsync(() => new FileSettlementOutbox(Path.Combine(_host.DataPath, "settlements"), NullLogger<FileSettlementOutbox>.Instance).SaveAsync(kept));

        // The settlement was sent to the tenant grain while the silo started.
        await _host.SettledAsync();
        using var usage = await SendAsync(_host.Admin(HttpMethod.Get, "/admin/tenants/acme/executions"));
        var rows = (await usage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        Assert.Single(rows, r => r.GetProperty("request_id").GetString() == kept.Settlement.RequestId);
        Assert.Equal(spent + 0.25m, DailySpent(await BudgetAsync("acme")));
    }

    [Fact]
    public async Task N_choices_are_reserved_against_a_cap_lowered_at_run_time()
    {
        await OverrideAsync("acme", new { daily_cap_usd = 0.001m });
        _host.Simulator.State.Defaults = new SimulatorKnobs { CompletionTokens = 100 };

        using var response = await SendAsync(Chat(body: new { model = "openai/gpt-4o-mini", n = 128, max_tokens = 100, messages = new[] { new { role = "user", content = "Tell a story" } } }));

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Equal(0, _host.Simulator.Requests.Count);
        Assert.True(DailySpent(await BudgetAsync("acme")) <= 0.001m);
    }

    [Fact]
    public async Task Cache_hits_count_against_a_daily_executions_limit_set_at_run_time()
    {
        await OverrideAsync("acme", new { daily_executions = 2 });
        var body = new { model = "openai/gpt-4o-mini", max_tokens = 50, messages = new[] { new { role = "user", content = "Cache this answer" } } };

        using var miss = await SendAsync(Chat(body: body));
        using var hit = await SendAsync(Chat(body: body));
        using var refused = await SendAsync(Chat(body: body));

        Assert.Equal(("miss", "hit"), (miss.Headers.GetValues("X-Cache").Single(), hit.Headers.GetValues("X-Cache").Single()));
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal("executions", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("budget").GetProperty("limit_kind").GetString());
    }

    [Fact]
    public async Task Downshift_uses_the_max_per_request_set_at_run_time()
    {
        await OverrideAsync("acme", new { max_per_request = 0.0005m });
        var body = new { model = "openai/gpt-4o", max_tokens = 500, messages = new[] { new { role = "user", content = "Summarise the quarter" } } };
        var request = Chat(body: body);
        request.Headers.Add("X-Downshift", "true");

        using var response = await SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("openai/gpt-4o-mini", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model").GetString());
    }

    [Fact]
    public async Task The_remaining_budget_metric_names_tenant_workspace_and_period()
    {
        using var served = await SendAsync(Chat());
        using (var flush = await SendAsync(_host.Admin(HttpMethod.Get, "/admin/tenants/acme/usage?period=today")))
        {
            Assert.Equal(HttpStatusCode.OK, flush.StatusCode);
        }

        var metrics = await _host.ScrapeMetricsAsync();

        Assert.Contains("tenant_budget_remaining_usd{period=\"day\",tenant=\"acme\",workspace=\"*\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("tenant_budget_remaining_usd{period=\"month\",tenant=\"acme\",workspace=\"*\"}", metrics, StringComparison.Ordinal);
    }
}
