using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client.Tests.LlmTenants;

/// <summary>
/// Domain objects as tenants of a real (in-process) cluster: created and linked, their usage for every period, their
/// budget read, configured and checked, and agents calling for them through the router.
/// </summary>
public sealed class LlmTenantClusterTests(LlmTenantCluster cluster) : IClassFixture<LlmTenantCluster>
{
    private ILlmTenants Tenants => cluster.LlmTenants;

    private HelloAgent Hello => cluster.Service.GetRequiredService<HelloAgent>();

    private static string NewSlug(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private async Task<Organization> NewOrganizationAsync()
    {
        var organization = new Organization { Slug = NewSlug("org"), DisplayName = "Acme Corporation" };
        await Tenants.EnsureLlmTenantAsync(organization);
        return organization;
    }

    [Fact]
    public async Task Ensuring_creates_the_tenant_as_declared_once_and_links_it_afterwards()
    {
        var organization = new Organization { Slug = NewSlug("org"), DisplayName = "Acme Corporation" };

        var first = await Tenants.EnsureLlmTenantAsync(organization);
        var second = await Tenants.EnsureLlmTenantAsync(new Organization { Slug = organization.Slug, DisplayName = "Renamed" });
        var listed = await Tenants.Client.Directory.ListAsync();
        var described = await first.Tenant.Client.DescribeAsync();
        var budget = await first.Tenant.GetBudgetAsync();

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(TenantSource.Runtime, second.Registration.Source);
        Assert.Equal((first.Registration.Definition.Name, first.Registration.CreatedAt), (second.Registration.Definition.Name, second.Registration.CreatedAt)); // linked unchanged
        Assert.Single(listed.Tenants, t => t.Definition.Id == organization.Slug);
        Assert.Equal("Acme Corporation", described.Name);
        Assert.Equal(["main"], described.Workspaces);
        Assert.Equal((5m, 100m, 1_000_000L, 100L, Enforcement.Hard), (
            budget.ConfiguredLimits.DailyCapUsd, budget.ConfiguredLimits.MonthlyCapUsd, budget.ConfiguredLimits.DailyTokens,
            budget.ConfiguredLimits.DailyExecutions, budget.Status.Enforcement));
    }

    [Fact]
    public async Task Ensuring_an_id_the_tenants_folder_holds_links_that_tenant_unchanged()
    {
        var slug = cluster.Tenants.AddTenant("daily_cap_usd: 7\nenforcement: soft\n", prefix: "yaml");

        var ensured = await Tenants.EnsureLlmTenantAsync(new Team { Slug = slug, Title = "Not this name" });
        var budget = await ensured.Tenant.GetBudgetAsync();

        Assert.False(ensured.Created);
        Assert.Equal(TenantSource.Yaml, ensured.Registration.Source);
        Assert.Equal(7m, budget.ConfiguredLimits.DailyCapUsd);
        Assert.DoesNotContain((await Tenants.Client.Directory.ListAsync()).Tenants, t => t.Definition.Id == slug);
    }

    [Fact]
    public async Task A_plain_string_id_works_through_LlmTenantId_and_a_bare_string_is_refused()
    {
        var id = new LlmTenantId(NewSlug("plain"));

        var ensured = await Tenants.EnsureLlmTenantAsync(id);
        var answer = await Hello.CallAsync("Hello there", tenant: id);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Hello.CallAsync("Hello there", tenant: id.Value));

        Assert.True(ensured.Created);
        Assert.Null(ensured.Registration.Definition.Budget);
        Assert.Equal(new TenantContext(id.Value, "main"), answer.Context);
        Assert.Contains("not a string", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cost_tokens_and_executions_add_up_for_every_period_including_ranges()
    {
        var organization = await NewOrganizationAsync();
        var tenant = Tenants.For(organization);
        var first = await Hello.CallAsync("Hello, first", tenant: organization);
        var second = await Hello.CallAsync("Hello, second", tenant: organization);
        await cluster.SettledAsync();
        var cost = first.CostUsd + second.CostUsd;
        var tokens = first.PromptTokens + first.CompletionTokens + second.PromptTokens + second.CompletionTokens;
        var today = (await tenant.GetUsageSummaryAsync(UsageQuery.Today)).Period.FirstDate;

        Assert.True(cost > 0m);
        Assert.Equal(cost, await tenant.GetCostTodayAsync());
        Assert.Equal(cost, await tenant.GetCostThisMonthAsync());
        Assert.Equal(cost, await tenant.GetCostAsync(UsageQuery.ThisWeek));
        Assert.Equal(0m, await tenant.GetCostAsync(UsageQuery.Yesterday));
        Assert.Equal(cost, await tenant.GetCostAsync(UsageQuery.Range(today.AddDays(-2), today)));
        Assert.Equal(0m, await tenant.GetCostAsync(UsageQuery.Range(today.AddDays(-9), today.AddDays(-1))));
        Assert.Equal(tokens, await tenant.GetTokensTodayAsync());
        Assert.Equal(tokens, await tenant.GetTokensThisMonthAsync());
        Assert.Equal(0L, await tenant.GetTokensAsync(UsageQuery.Yesterday));
        Assert.Equal(2L, await tenant.GetExecutionCountTodayAsync());
        Assert.Equal(2L, await tenant.GetExecutionCountThisMonthAsync());
        Assert.Equal(2L, await tenant.GetExecutionCountAsync(UsageQuery.Range(today, today)));

        var summary = await tenant.GetUsageSummaryAsync();
        Assert.Equal((cost, tokens, 2L, UsagePeriodKind.ThisMonth), (summary.CostUsd, summary.Tokens, summary.Executions, summary.Period.Kind));
    }

    [Fact]
    public async Task Executions_come_a_page_at_a_time_with_the_agent_that_made_them()
    {
        var organization = await NewOrganizationAsync();
        var tenant = Tenants.For(organization);
        var calls = new List<ChatResult>();
        for (var i = 0; i < 3; i++)
        {
            calls.Add(await Hello.CallAsync($"Hello number {i}", tenant: organization));
        }

        await cluster.SettledAsync();

        var page = await tenant.ListExecutionsAsync(pageSize: 2);
        var next = await tenant.ListExecutionsAsync(pageSize: 2, cursor: page.NextCursor);
        var all = new List<ExecutionRecord>();
        await foreach (var row in tenant.GetExecutionsAsync())
        {
            all.Add(row);
        }

        Assert.Equal([calls[2].RequestId, calls[1].RequestId], page.Items.Select(r => r.RequestId));
        Assert.Equal([calls[0].RequestId], next.Items.Select(r => r.RequestId));
        Assert.Null(next.NextCursor);
        Assert.Equal(3, all.Count);
        Assert.All(all, row => Assert.Equal(("HelloAgent", "openai/gpt-4o-mini", "main"), (row.Agent, row.Model, row.Workspace)));
    }

    [Fact]
    public async Task Under_a_hard_limit_the_tenant_is_within_budget_then_over_it_the_check_names_the_limit()
    {
        var team = new Team { Slug = NewSlug("team") };
        var tenant = (await Tenants.EnsureLlmTenantAsync(team)).Tenant;
        var answer = await Hello.CallAsync("Hello team", tenant: team);
        await cluster.SettledAsync();

        Assert.True(await tenant.IsWithinBudgetAsync());
        Assert.Equal(5m - answer.CostUsd, await tenant.GetRemainingBudgetAsync());
        Assert.Null(await tenant.GetRemainingBudgetAsync(BudgetPeriod.Month)); // no monthly cost cap: none inherited here
        await tenant.CheckBudgetAsync();

        var configured = await tenant.ConfigureBudgetAsync(b => b with { DailyExecutions = 1 });

        Assert.Equal(1L, configured.Override!.DailyExecutions);
        Assert.False(await tenant.IsWithinBudgetAsync(BudgetPeriod.Day));
        Assert.True(await tenant.IsWithinBudgetAsync(BudgetPeriod.Month));
        Assert.Equal(5m - answer.CostUsd, await tenant.GetRemainingBudgetAsync()); // cost is not what ran out
        var exceeded = await Assert.ThrowsAsync<BudgetExceededException>(() => tenant.CheckBudgetAsync());
        Assert.Contains("daily_executions", exceeded.Message, StringComparison.Ordinal);
        Assert.Equal((BudgetMetric.Executions, BudgetPeriod.Day, 1m, 0m), (exceeded.Denial!.Metric, exceeded.Denial.Period, exceeded.Denial.Limit, exceeded.Denial.Remaining));

        // The cluster agrees: the next call is refused by the same limit.
        var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => Hello.CallAsync("Hello again", tenant: team));
        Assert.Equal(BudgetMetric.Executions, refused.Denial!.Metric);
    }

    [Fact]
    public async Task Over_a_soft_limit_the_tenant_is_not_within_budget_yet_the_check_passes()
    {
        var team = new Team { Slug = NewSlug("soft") };
        var tenant = (await Tenants.EnsureLlmTenantAsync(team)).Tenant;
        await tenant.ConfigureBudgetAsync(b => b with { DailyCapUsd = 0.000001m, Enforcement = Enforcement.Soft });

        await Hello.CallAsync("Hello soft", tenant: team); // soft enforcement lets it past the cap
        await cluster.SettledAsync();

        Assert.False(await tenant.IsWithinBudgetAsync());
        Assert.Equal(0m, await tenant.GetRemainingBudgetAsync());
        await tenant.CheckBudgetAsync();
    }

    [Fact]
    public async Task With_budgets_off_the_tenant_is_always_within_budget_with_nothing_remaining_to_report()
    {
        var team = new Team { Slug = NewSlug("off") };
        var tenant = (await Tenants.EnsureLlmTenantAsync(team)).Tenant;
        await tenant.ConfigureBudgetAsync(b => b with { DailyCapUsd = 0.000001m, Enforcement = Enforcement.None });

        await Hello.CallAsync("Hello, no budget", tenant: team);
        await cluster.SettledAsync();
        var status = await tenant.GetBudgetStatusAsync();

        Assert.Equal(Enforcement.None, status.Enforcement);
        Assert.Contains(status.Limits, l => l is { Metric: BudgetMetric.CostUsd, Period: BudgetPeriod.Day, Remaining: 0m });
        Assert.True(await tenant.IsWithinBudgetAsync());
        Assert.Null(await tenant.GetRemainingBudgetAsync());
        await tenant.CheckBudgetAsync();
    }

    [Fact]
    public async Task An_agent_sends_its_declarations_through_the_router()
    {
        var organization = await NewOrganizationAsync();

        var answer = await Hello.CallAsync("Hello with declarations", tenant: organization);
        var sent = cluster.Upstream.State.Requests.Recent.Last(r => r.Body?.Contains("Hello with declarations", StringComparison.Ordinal) == true);
        using var body = JsonDocument.Parse(sent.Body!);

        Assert.Equal(new TenantContext(organization.Slug, "main"), answer.Context);
        Assert.Equal("openai/gpt-4o-mini", body.RootElement.GetProperty("model").GetString());
        Assert.Equal(0.2, body.RootElement.GetProperty("temperature").GetDouble());
        Assert.Equal(64, body.RootElement.GetProperty("max_tokens").GetInt32());
        var messages = body.RootElement.GetProperty("messages");
        Assert.Equal(("system", "You greet people."), (messages[0].GetProperty("role").GetString(), messages[0].GetProperty("content").GetString()));
        Assert.Equal("user", messages[1].GetProperty("role").GetString());
    }

    [Fact]
    public async Task An_agent_streams_its_answer_and_the_last_update_carries_the_settled_cost()
    {
        var organization = await NewOrganizationAsync();
        var text = new System.Text.StringBuilder();
        ChatResult? completion = null;

        await foreach (var update in Hello.StreamAsync("Stream a greeting", tenant: organization))
        {
            text.Append(update.Text);
            completion ??= update.Completion;
        }

        Assert.NotNull(completion);
        Assert.NotEmpty(text.ToString());
        Assert.Equal(text.ToString(), completion.Text);
        Assert.True(completion.CostUsd > 0m);
        Assert.Equal(organization.Slug, completion.Context.Tenant);
    }

    [Fact]
    public async Task A_subclass_resolves_the_tenant_from_a_parameter()
    {
        var owner = await NewOrganizationAsync();
        var agent = cluster.Service.GetRequiredService<ProjectAgent>();

        var answer = await agent.CallAsync("Summarise the project", parameters: new Dictionary<string, object?> { ["project"] = new Project("Apollo", owner) });
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => agent.CallAsync("Summarise the project"));

        Assert.Equal(owner.Slug, answer.Context.Tenant);
        Assert.Contains("'project'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_object_that_is_not_an_llm_tenant_raises_naming_its_type_and_nothing_is_sent()
    {
        var before = cluster.Upstream.State.Requests.Count;

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Hello.CallAsync("Hello", tenant: new Invoice()));
        var streamed = Assert.Throws<ArgumentException>(() => Hello.StreamAsync("Hello", tenant: new Invoice()));

        Assert.Contains(typeof(Invoice).FullName!, refused.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(Invoice).FullName!, streamed.Message, StringComparison.Ordinal);
        Assert.Equal(before, cluster.Upstream.State.Requests.Count);
    }

    [Fact]
    public async Task Without_a_tenant_a_call_runs_as_default_main_when_the_cluster_is_not_strict()
    {
        var answer = await Hello.CallAsync("Hello from nobody");

        Assert.Equal(new TenantContext("default", "main"), answer.Context);
    }
}

/// <summary>The strict/non-strict rule for agent calls without a tenant, on a strict cluster.</summary>
public sealed class StrictLlmTenantTests(StrictLlmTenantCluster cluster) : IClassFixture<StrictLlmTenantCluster>
{
    [Fact]
    public async Task Without_a_tenant_a_strict_cluster_refuses_the_call_and_with_one_it_runs()
    {
        var hello = cluster.Service.GetRequiredService<HelloAgent>();
        var organization = new Organization { Slug = $"strict-{Guid.NewGuid():N}"[..20], DisplayName = "Strict" };
        await cluster.LlmTenants.EnsureLlmTenantAsync(organization);

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => hello.CallAsync("Hello from nobody"));
        var answer = await hello.CallAsync("Hello from somebody", tenant: organization);

        Assert.Equal(("tenant_context_missing", 401, null), (refused.Code, refused.StatusCode, refused.Context));
        Assert.Equal(organization.Slug, answer.Context.Tenant);
    }
}
