using System.Text.Json;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Tests.Registry;

/// <summary>Runtime tenants joining the tenants of the folder, and the JSON body that declares one.</summary>
public sealed class RuntimeTenantTests
{
    [Fact]
    public void A_runtime_tenant_merges_with_the_folders_limits_rules_and_a_default_workspace()
    {
        using var tenants = new TempTenants();
        tenants.Write("_global.yaml", "budgets:\n  monthly_cap_usd: 100\n");
        tenants.Write("acme/tenant.yaml", TempTenants.TenantYaml());
        var yaml = tenants.Load();

        var merged = RuntimeTenants.Merge(yaml, [new RuntimeTenant("beta", null, [], new BudgetLimits { DailyCapUsd = 2m, Enforcement = Enforcement.Hard })]);

        var beta = merged.Find("beta")!;
        Assert.Equal(TenantOrigin.Runtime, beta.Origin);
        Assert.Equal("beta", beta.DisplayName);
        Assert.Equal([RuntimeTenants.DefaultWorkspace], beta.Workspaces.Keys);
        var limits = merged.GetEffectiveLimits("beta", "main");
        Assert.Equal(2m, limits.DailyCapUsd);
        Assert.Equal(100m, limits.MonthlyCapUsd);
        Assert.Equal(TenantOrigin.Yaml, merged.Find("acme")!.Origin);
        Assert.NotEqual(yaml.ContentHash, merged.ContentHash);
        Assert.Null(merged.ExplainUnknown("beta", "main"));
    }

    [Fact]
    public void A_runtime_tenant_that_does_not_inherit_leaves_the_global_limits_out()
    {
        using var tenants = new TempTenants();
        tenants.Write("_global.yaml", "budgets:\n  monthly_cap_usd: 100\n");
        var merged = RuntimeTenants.Merge(tenants.Load(), [new RuntimeTenant("beta", null, [], new BudgetLimits { DailyCapUsd = 2m, InheritGlobal = false })]);

        Assert.Null(merged.GetEffectiveLimits("beta").MonthlyCapUsd);
    }

    [Fact]
    public void A_folder_that_appears_under_a_runtime_id_is_an_error_and_the_runtime_tenant_stays_in_use()
    {
        using var tenants = new TempTenants();
        tenants.Write("beta/tenant.yaml", TempTenants.TenantYaml());
        var runtime = new RuntimeTenant("beta", "Runtime Beta", ["ops"], null);

        var merged = RuntimeTenants.Merge(tenants.Load(), [runtime]);

        Assert.Equal("Runtime Beta", merged.Find("beta")!.DisplayName);
        Assert.Equal(TenantOrigin.Runtime, merged.Find("beta")!.Origin);
        var problem = Assert.Single(merged.Problems, p => p.Tenant == "beta");
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.EndsWith(Path.Combine("beta", "tenant.yaml"), problem.File, StringComparison.Ordinal);
        Assert.Contains("runtime tenant", problem.Message, StringComparison.Ordinal);
        Assert.Contains("DELETE /admin/tenants/beta", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_served_registry_changes_with_newer_directory_versions_only_and_follows_the_folder()
    {
        using var tenants = new TempTenants();
        var folder = new SwappableSource(tenants.Load());
        var source = new MergedTenantRegistrySource(folder);

        Assert.True(source.Apply(2, [new RuntimeTenant("beta", null, [], null)]));
        Assert.False(source.Apply(1, []));
        Assert.Same(source.Current, source.Current);
        Assert.NotNull(source.Current.Find("beta"));

        tenants.Write("acme/tenant.yaml", TempTenants.TenantYaml());
        folder.Current = tenants.Load();

        Assert.NotNull(source.Current.Find("acme"));
        Assert.NotNull(source.Current.Find("beta"));
        Assert.True(source.Apply(3, []));
        Assert.Null(source.Current.Find("beta"));
    }

    [Theory]
    [InlineData("", "id")]
    [InlineData("-lead", "id")]
    [InlineData("UPPER", "id")]
    [InlineData("ok", "workspaces[0]", "Bad Key")]
    public void Ids_and_workspace_keys_follow_the_folders_slug_rule(string id, string field, string? workspace = null)
    {
        var problems = RuntimeTenants.Problems(new RuntimeTenant(id, null, workspace is null ? [] : [workspace], null));

        Assert.Equal(field, Assert.Single(problems).Key);
    }

    [Fact]
    public void The_body_reads_limits_beside_enforcement_and_inherit_global()
    {
        var problems = new List<KeyValuePair<string, string>>();

        var tenant = Read("""{"id": "acme-2", "name": "Acme Two", "workspaces": ["main", "ops"], "limits": {"daily_cap_usd": 5, "alert_thresholds": [80, 50]}, "enforcement": "hard", "inherit_global": false}""", null, problems);

        Assert.Empty(problems);
        Assert.Equal("acme-2", tenant!.Id);
        Assert.Equal(["main", "ops"], tenant.Workspaces);
        Assert.Equal(new BudgetLimits { DailyCapUsd = 5m, AlertThresholds = tenant.Budget!.AlertThresholds, Enforcement = Enforcement.Hard, InheritGlobal = false }, tenant.Budget);
        Assert.Equal([50m, 80m], tenant.Budget.AlertThresholds!);
        Assert.Null(Read("""{"id": "plain"}""", null, problems)!.Budget);
        Assert.Equal("route-id", Read("""{"name": "x"}""", "route-id", problems)!.Id);
    }

    [Theory]
    [InlineData("""{"id": "a", "limits": {"daily_cap_usd": 1e400}}""", "limits.daily_cap_usd")]
    [InlineData("""{"id": "a", "limits": {"daily_cap_usd": 1, "daily_cap_usd": 2}}""", "limits.daily_cap_usd")]
    [InlineData("""{"id": "a", "workspace": ["main"]}""", "workspace")]
    [InlineData("""{"id": "a", "inherit_global": true, "limits": {"inherit_global": false}}""", "inherit_global")]
    [InlineData("""{"id": "a", "workspaces": [null]}""", "workspaces[0]")]
    [InlineData("""{"id": "b", "name": "   "}""", "name")]
    [InlineData("\"a\"", "body")]
    public void A_bad_body_names_the_field(string json, string field)
    {
        var problems = new List<KeyValuePair<string, string>>();

        Assert.Null(Read(json, null, problems));

        Assert.Contains(problems, p => p.Key == field);
    }

    [Fact]
    public void A_misspelt_field_is_suggested()
    {
        var problems = new List<KeyValuePair<string, string>>();

        Read("""{"id": "a", "workspace": ["main"]}""", null, problems);

        Assert.Contains("did you mean 'workspaces'", Assert.Single(problems).Value, StringComparison.Ordinal);
    }

    private static RuntimeTenant? Read(string json, string? routeId, List<KeyValuePair<string, string>> problems)
    {
        using var document = JsonDocument.Parse(json);
        return RuntimeTenantJson.Read(document.RootElement, routeId, problems);
    }

    private sealed class SwappableSource(TenantRegistry registry) : ITenantRegistrySource
    {
        public TenantRegistry Current { get; set; } = registry;
    }
}
