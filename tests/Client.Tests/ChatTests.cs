using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansTenancy.Client.Tests.Infrastructure;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Client.Tests;

/// <summary>Chat calls of a .NET service through the silo's gateway: answers, costs, refusals and cancellation.</summary>
public sealed class ChatTests(ClientOnSilo cluster) : IClassFixture<ClientOnSilo>
{
    [Fact]
    public async Task A_chat_call_answers_for_its_workspace_and_is_recorded_in_the_tenants_usage()
    {
        var support = cluster.Tenancy.Workspace("acme", "support");

        var answer = await support.ChatAsync("Say hello", new ChatOptions { Agent = "greeter", Task = "greeting" });
        await cluster.SettledAsync();
        var page = await support.Tenant.ListExecutionsAsync(workspace: "support");

        Assert.Contains("Simulated reply from openai/gpt-4o-mini", answer.Text, StringComparison.Ordinal);
        Assert.Equal(new TenantContext("acme", "support"), answer.Context);
        Assert.Equal("openai/gpt-4o-mini", answer.Model);
        Assert.True(answer.CostUsd > 0m && answer.EstimatedCostUsd >= answer.CostUsd, $"cost {answer.CostUsd}, reserved {answer.EstimatedCostUsd}");
        var row = Assert.Single(page.Items, r => r.RequestId == answer.RequestId);
        Assert.Equal(("ok", answer.CostUsd, answer.PromptTokens, answer.CompletionTokens), (row.Status, row.CostUsd, row.TokensIn, row.TokensOut));
        Assert.Equal(("greeter", "greeting"), (row.Agent, row.Task));
    }

    [Fact]
    public async Task A_call_the_budget_refuses_throws_BudgetExceededException_naming_the_limit_and_costs_nothing()
    {
        var broke = cluster.Tenancy.Workspace("broke", "main");

        var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => broke.ChatAsync("Say hello"));
        var usage = await broke.Tenant.GetUsageAsync();

        Assert.Equal(("budget_exceeded", 402), (refused.Code, refused.StatusCode));
        Assert.Equal((BudgetMetric.CostUsd, BudgetPeriod.Day, 0.000001m), (refused.Denial!.Metric, refused.Denial.Period, refused.Denial.Limit));
        Assert.Contains("daily_cap_usd", refused.Message, StringComparison.Ordinal);
        Assert.Equal(new TenantContext("broke", "main"), refused.Context);
        Assert.Equal(0m, usage.Totals.CostUsd);
    }

    [Fact]
    public async Task A_rate_limited_call_throws_RateLimitedException_with_when_to_retry()
    {
        var busy = cluster.Tenancy.Workspace("busy", "main");

        var mini = new ChatOptions { Model = "openai/gpt-4o-mini" };
        await busy.ChatAsync("first of the minute", mini);
        var refused = await Assert.ThrowsAsync<RateLimitedException>(() => busy.ChatAsync("second of the minute", mini));

        Assert.Equal(("rate_limited", 429), (refused.Code, refused.StatusCode));
        Assert.True(refused.RetryAfter > TimeSpan.Zero, $"retry after {refused.RetryAfter}");
    }

    [Fact]
    public async Task A_model_the_workspace_may_not_use_is_refused_with_its_code()
    {
        var support = cluster.Tenancy.Workspace("acme", "support");

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => support.ChatAsync("Say hello", new ChatOptions { Model = "openai/gpt-4o" }));

        Assert.Equal(("model_not_allowed", 403), (refused.Code, refused.StatusCode));
        Assert.Contains("openai/gpt-4o", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_tenant_or_workspace_is_refused_with_UnknownTenantException_naming_it()
    {
        var typo = await Assert.ThrowsAsync<UnknownTenantException>(() => cluster.Tenancy.Workspace("acmee", "staff").ChatAsync("Say hello"));
        var noWorkspace = await Assert.ThrowsAsync<UnknownTenantException>(() => cluster.Tenancy.Workspace("acme", "sales").ChatAsync("Say hello"));
        var budget = await Assert.ThrowsAsync<UnknownTenantException>(() => cluster.Tenancy.Tenant("acmee").GetBudgetAsync());
        var usage = await Assert.ThrowsAsync<UnknownTenantException>(() => cluster.Tenancy.Tenant("acmee").GetUsageAsync(UsageQuery.ThisMonth));
        var memory = await Assert.ThrowsAsync<UnknownTenantException>(() => cluster.Tenancy.Workspace("acme", "sales").AddMemoryAsync("notes", "hello"));
        var executions = await Assert.ThrowsAsync<UnknownTenantException>(() => cluster.Tenancy.Tenant("acme").ListExecutionsAsync(workspace: "sales"));

        Assert.Equal(("acmee", null), (typo.Tenant, typo.Workspace));
        Assert.Contains("Tenant 'acmee' is not in the registry", typo.Message, StringComparison.Ordinal);
        Assert.Equal(("acme", "sales"), (noWorkspace.Tenant, noWorkspace.Workspace));
        Assert.Contains("its workspaces are: staff, support", noWorkspace.Message, StringComparison.Ordinal);

        // Refused by the silo before any budget, ledger or memory grain of the id is touched; the ids cross the wire.
        Assert.Equal(("acmee", null), (budget.Tenant, budget.Workspace));
        Assert.Equal(("acmee", null), (usage.Tenant, usage.Workspace));
        Assert.Equal(("acme", "sales"), (memory.Tenant, memory.Workspace));
        Assert.Equal(("acme", "sales"), (executions.Tenant, executions.Workspace));
    }

    [Fact]
    public async Task Cancelling_a_chat_call_cancels_it_on_the_silo_which_settles_what_upstream_may_have_charged()
    {
        var support = cluster.Tenancy.Workspace("acme", "support");
        var requestId = Guid.NewGuid().ToString("N");
        using var cancel = new CancellationTokenSource();
        using var settled = cluster.Silo.Measure(m => m.Instrument == "llm_requests_total" && m.Tag("status") == "cancelled");

        await cluster.WithUpstreamAsync(new SimulatorKnobs { LatencyMs = 120_000 }, async () =>
        {
            var received = cluster.UpstreamReceived(requestId);
            var call = support.ChatAsync("Take your time", new ChatOptions { RequestId = requestId }, cancel.Token);
            await received;
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            await settled.Seen;
        });
        await cluster.SettledAsync();

        // The silo's call was cancelled too: its reservation is settled as cancelled with the prompt, never zero.
        var row = await cluster.RowAsync(support.Tenant, requestId);
        Assert.Equal("cancelled", row.Status);
        Assert.True(row.TokensIn > 0 && row.CostUsd > 0m, $"tokens in {row.TokensIn}, cost {row.CostUsd}");
    }

    [Fact]
    public async Task A_chat_call_past_the_clients_chat_timeout_fails_with_TimeoutException_and_is_settled_on_the_silo()
    {
        using var impatient = await cluster.StartServiceAsync(o => o.ChatTimeout = TimeSpan.FromSeconds(1));
        var support = impatient.Services.GetRequiredService<TenancyClient>().Workspace("acme", "support");
        var requestId = Guid.NewGuid().ToString("N");
        using var settled = cluster.Silo.Measure(m => m.Instrument == "llm_requests_total" && m.Tag("status") == "cancelled");

        await cluster.WithUpstreamAsync(new SimulatorKnobs { LatencyMs = 120_000 }, async () =>
        {
            var late = await Assert.ThrowsAsync<TimeoutException>(() => support.ChatAsync("Take your time", new ChatOptions { RequestId = requestId }));
            Assert.Contains("TenancyClient:ChatTimeout (00:00:01)", late.Message, StringComparison.Ordinal);
            await settled.Seen;
        });
        await cluster.SettledAsync();

        Assert.Equal("cancelled", (await cluster.RowAsync(support.Tenant, requestId)).Status);
        await impatient.StopAsync();
    }

    [Fact]
    public async Task A_request_id_that_already_completed_is_refused_so_a_call_is_never_charged_twice()
    {
        var support = cluster.Tenancy.Workspace("acme", "support");
        var options = new ChatOptions { RequestId = Guid.NewGuid().ToString("N") };

        await support.ChatAsync("Once", options);
        await cluster.SettledAsync();
        var again = await Assert.ThrowsAsync<CallRefusedException>(() => support.ChatAsync("Once more", options));

        Assert.Equal(("request_id_reused", 409), (again.Code, again.StatusCode));
        Assert.Equal(options.RequestId, again.RequestId);
    }
}
