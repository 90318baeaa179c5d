using OrleansTenancy.Client.Tests.Infrastructure;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client.Tests;

/// <summary>A tenant's description, budget, usage and workspace memory, read and changed through the gateway.</summary>
public sealed class TenantDataTests(ClientOnSilo cluster) : IClassFixture<ClientOnSilo>
{
    [Fact]
    public async Task A_tenant_describes_itself_as_its_files_say()
    {
        var acme = await cluster.Tenancy.Tenant("acme").DescribeAsync();

        Assert.Equal(("acme", "Acme", true, "UTC"), (acme.Tenant, acme.Name, acme.Active, acme.TimeZoneId));
        Assert.Equal(["staff", "support"], acme.Workspaces);
    }

    [Fact]
    public async Task A_budget_override_is_set_read_and_cleared_and_the_next_call_is_decided_on_it()
    {
        var tenant = cluster.Tenancy.Tenant("default");
        var main = tenant.Workspace("main");
        var mini = new ChatOptions { Model = "openai/gpt-4o-mini" };

        var configured = await tenant.GetBudgetAsync();
        var set = await tenant.SetBudgetOverrideAsync(new BudgetLimits { DailyCapUsd = 0.0000001m, Enforcement = Enforcement.Hard });
        var overridden = await tenant.GetBudgetOverrideAsync();
        var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => main.ChatAsync("Say hello", mini));
        var cleared = await tenant.ClearBudgetOverrideAsync();
        var answered = await main.ChatAsync("Say hello", mini);

        Assert.Null(configured.Override);
        Assert.Equal(10m, configured.ConfiguredLimits.DailyCapUsd);
        Assert.Equal(0.0000001m, overridden!.DailyCapUsd);
        Assert.Equal(0.0000001m, set.Status.Limits.Single(l => l is { Metric: BudgetMetric.CostUsd, Period: BudgetPeriod.Day, Workspace: null }).Limit);
        Assert.Equal(0.0000001m, refused.Denial!.Limit);
        Assert.Null(cleared.Override);
        Assert.Equal(10m, cleared.Status.Limits.Single(l => l is { Metric: BudgetMetric.CostUsd, Period: BudgetPeriod.Day, Workspace: null }).Limit);
        Assert.True(answered.CostUsd > 0m);
    }

    [Fact]
    public async Task An_invalid_budget_override_is_refused_naming_the_limit()
    {
        var refused = await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            cluster.Tenancy.Tenant("default").SetBudgetOverrideAsync(new BudgetLimits { DailyCapUsd = -1m }));

        Assert.Contains("daily_cap_usd", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_of_a_period_sums_the_calls_in_it_by_model_workspace_and_day()
    {
        var acme = cluster.Tenancy.Tenant("acme");
        var before = await acme.GetUsageAsync(UsageQuery.ThisMonth);
        var first = await acme.Workspace("support").ChatAsync("First question");
        var second = await acme.Workspace("staff").ChatAsync("Second question, " + Guid.NewGuid());
        await cluster.SettledAsync();

        var today = await acme.GetUsageAsync();
        var month = await acme.GetUsageAsync(UsageQuery.ThisMonth);
        var week = await acme.GetUsageAsync(UsageQuery.ThisWeek);
        var range = await acme.GetUsageAsync(UsageQuery.Range(today.Window.FirstDate.AddDays(-3), today.Window.FirstDate));
        var yesterday = await acme.GetUsageAsync(UsageQuery.Yesterday);

        Assert.Equal(UsagePeriodKind.Today, today.Window.Kind);
        Assert.Equal(before.Totals.CostUsd + first.CostUsd + second.CostUsd, month.Totals.CostUsd);
        Assert.Equal(before.Totals.Executions + 2, month.Totals.Executions);
        Assert.Equal(month.Totals, today.Totals); // every call of this test class ran today
        Assert.Equal(today.Totals, week.Totals);
        Assert.Equal(today.Totals, range.Totals);
        Assert.Equal(4, range.ByDay.Count);
        Assert.Equal(0, yesterday.Totals.Requests);
        Assert.Equal(today.Totals.CostUsd, today.ByWorkspace.Sum(w => w.Totals.CostUsd));
        Assert.Contains(today.ByWorkspace, w => w.Key == "support" && w.Totals.CostUsd >= first.CostUsd);
        Assert.Equal("openai/gpt-4o-mini", Assert.Single(today.ByModel).Key);
    }

    [Fact]
    public async Task Executions_come_newest_first_a_page_at_a_time_and_by_workspace()
    {
        var acme = cluster.Tenancy.Tenant("acme");
        string[] ids = [.. Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString("N"))];
        foreach (var id in ids)
        {
            await acme.Workspace("support").ChatAsync("Question " + id, new ChatOptions { RequestId = id });
        }

        await cluster.SettledAsync();

        var first = await acme.ListExecutionsAsync(pageSize: 2, workspace: "support");
        var second = await acme.ListExecutionsAsync(pageSize: 2, cursor: first.NextCursor, workspace: "support");
        var all = new List<ExecutionRecord>();
        await foreach (var row in acme.GetExecutionsAsync("support"))
        {
            all.Add(row);
        }

        Assert.Equal([ids[2], ids[1]], first.Items.Select(r => r.RequestId));
        Assert.Equal(ids[0], second.Items[0].RequestId);
        Assert.NotNull(first.NextCursor);
        Assert.All(all, r => Assert.Equal("support", r.Workspace));
        Assert.Equal(all.OrderByDescending(r => r.CreatedAt).Select(r => r.RequestId), all.Select(r => r.RequestId));
        Assert.Superset(ids.ToHashSet(), all.Select(r => r.RequestId).ToHashSet());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => acme.ListExecutionsAsync(pageSize: 0));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => acme.ListExecutionsAsync(cursor: "not-a-cursor"));
    }

    [Fact]
    public async Task Workspace_memory_is_written_searched_listed_and_deleted_in_the_workspaces_own_namespaces()
    {
        var staff = cluster.Tenancy.Workspace("acme", "staff");
        var support = cluster.Tenancy.Workspace("acme", "support");

        var kept = await staff.AddMemoryAsync("notes", "The launch is on Tuesday", new Dictionary<string, string> { ["topic"] = "launch" });
        await staff.AddMemoryAsync("notes", "Lunch is at noon", new Dictionary<string, string> { ["topic"] = "food" });
        var replaced = await staff.AddMemoryAsync("notes", "The launch moved to Wednesday", new Dictionary<string, string> { ["topic"] = "launch" }, id: kept.Id);
        await staff.AddMemoryAsync("todo", "Book the room");

        var launch = await staff.RetrieveMemoryAsync("notes", contains: "LAUNCH");
        var food = await staff.RetrieveMemoryAsync("notes", metadata: new Dictionary<string, string> { ["topic"] = "food" });
        var namespaces = await staff.ListMemoryNamespacesAsync();
        var otherWorkspace = await support.RetrieveMemoryAsync("notes");
        var deleted = await staff.DeleteMemoryAsync("notes", kept.Id);
        var deletedAgain = await staff.DeleteMemoryAsync("notes", kept.Id);
        var emptied = await staff.DeleteMemoryNamespaceAsync("todo");

        Assert.Equal("acme:staff:notes", kept.Namespace);
        Assert.Equal(32, kept.Id.Length); // chosen by the client, so a retried write stores it once
        var only = Assert.Single(launch);
        Assert.Equal((kept.Id, "The launch moved to Wednesday"), (only.Id, only.Text));
        Assert.Equal(kept.CreatedAt, replaced.CreatedAt);
        Assert.Equal("Lunch is at noon", Assert.Single(food).Text);
        Assert.Equal(["acme:staff:notes", "acme:staff:todo"], namespaces.Select(n => n.Namespace));
        Assert.Equal([2, 1], namespaces.Select(n => n.EntryCount));
        Assert.Empty(otherWorkspace);
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.Equal(1, emptied);
    }
}
