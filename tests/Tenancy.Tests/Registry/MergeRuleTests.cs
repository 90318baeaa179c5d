using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Tests.Registry;

/// <summary>Resolution and the global → tenant → workspace merge rules, each on its own small folder.</summary>
public sealed class MergeRuleTests
{
    private const string TwoWorkspaces = """
        workspaces:
          main:
            discord_guild_id: 123456789012345678
          side:
            discord_guild_id: "223456789012345678"
            routing:
              allowed_models: [a/one]
              providers: [p2]
              models: { chat: a/one }
            budgets:
              daily_cap_usd: 2
            policy:
              max_tokens: 100
        """;

    [Fact]
    public void Unknown_or_malformed_guilds_do_not_resolve()
    {
        using var tenants = new TempTenants();
        var registry = tenants.Write("t/tenant.yaml", TwoWorkspaces).Load();

        Assert.True(registry.TryResolveGuild(223456789012345678UL, out var side));
        Assert.Equal(new TenantContext("t", "side"), side);
        Assert.False(registry.TryResolveGuild(999999999999999999UL, out _));
        Assert.False(registry.TryResolveGuild("not-a-guild", out _));
        Assert.False(registry.TryResolveGuild((string?)null, out _));
        Assert.False(registry.TryResolveGuild(" 123456789012345678", out _));
    }

    [Fact]
    public void Workspace_routing_wins_over_tenant_and_global()
    {
        using var tenants = new TempTenants();
        var registry = tenants
            .Write("_global.yaml", "routing:\n  models: { default: a/one, summarize: a/one }\n  providers: [p0]\n")
            .Write("t/tenant.yaml", TwoWorkspaces)
            .Write("t/routing.yaml", "allowed_models: [a/one, a/two]\nproviders: { order: [p1], allow_fallbacks: false }\nmodels: { chat: a/two }\n")
            .Load();
        Assert.Empty(registry.Problems);

        var main = registry.GetRouting(new TenantContext("t", "main"));
        var side = registry.GetRouting(new TenantContext("t", "side"));

        Assert.Equal(["a/one", "a/two"], main.AllowedModels);
        Assert.Equal(["p1"], main.Providers!.Order);
        Assert.Equal("a/two", main.ModelForTask("chat"));
        Assert.Equal("a/one", main.ModelForTask("summarize"));
        Assert.Equal(["a/one"], side.AllowedModels);
        Assert.Equal(["p2"], side.Providers!.Order);
        Assert.Null(side.Providers.AllowFallbacks);
        Assert.Equal("a/one", side.ModelForTask("chat"));
        Assert.True(side.IsModelAllowed("a/one"));
        Assert.False(side.IsModelAllowed("a/two"));
    }

    [Fact]
    public void Effective_settings_are_merged_once_per_context_and_snapshot()
    {
        using var tenants = new TempTenants();
        tenants.Write("t/tenant.yaml", TwoWorkspaces).Write("t/routing.yaml", "allowed_models: [a/one, a/two]\n");
        var registry = tenants.Load();
        var main = new TenantContext("t", "main");
        var side = new TenantContext("t", "side");

        Assert.Same(registry.GetRouting(main), registry.GetRouting(new TenantContext("t", "main")));
        Assert.Same(registry.GetPolicy(main), registry.GetPolicy(main));
        Assert.NotSame(registry.GetRouting(main), registry.GetRouting(side));
        Assert.Equal(["a/one"], registry.GetRouting(side).AllowedModels);

        // A reload is a new snapshot: it merges the changed files, never serving the old snapshot's result.
        tenants.Write("t/routing.yaml", "allowed_models: [a/two]\n");
        Assert.Equal(["a/two"], tenants.Load().GetRouting(main).AllowedModels);
        Assert.Equal(["a/one", "a/two"], registry.GetRouting(main).AllowedModels);
    }

    [Fact]
    public void No_allow_list_anywhere_allows_every_model()
    {
        using var tenants = new TempTenants();
        var routing = tenants.Write("t/tenant.yaml", TwoWorkspaces).Load().GetRouting(new TenantContext("t", "main"));

        Assert.Empty(routing.AllowedModels);
        Assert.True(routing.IsModelAllowed("any/model"));
        Assert.Null(routing.ModelForTask("chat"));
    }

    public static TheoryData<string, string?, decimal?, decimal?, Enforcement, bool> LimitCases => new()
    {
        // tenant budgets.yaml, workspace, expected daily cap, expected monthly cap, enforcement, inherit
        { "daily_cap_usd: 10\n", null, 10m, 300m, Enforcement.Hard, true },
        { "daily_cap_usd: 10\n", "side", 2m, 300m, Enforcement.Hard, true },
        { "daily_cap_usd: 10\ninherit_global: false\n", null, 10m, null, Enforcement.Soft, false },
        { "monthly_cap_usd: 50\n", "main", 20m, 50m, Enforcement.Hard, true },
        { "enforcement: none\ninherit_global: false\n", "side", 2m, null, Enforcement.None, false },
    };

    [Theory]
    [MemberData(nameof(LimitCases))]
    public void Effective_limits_take_workspace_then_tenant_then_inherited_global(
        string tenantBudgets, string? workspace, decimal? daily, decimal? monthly, Enforcement enforcement, bool inherit)
    {
        using var tenants = new TempTenants();
        var registry = tenants
            .Write("_global.yaml", "budgets:\n  daily_cap_usd: 20\n  monthly_cap_usd: 300\n  enforcement: hard\n")
            .Write("t/tenant.yaml", TwoWorkspaces)
            .Write("t/budgets.yaml", tenantBudgets)
            .Load();
        Assert.Empty(registry.Problems);

        var limits = registry.GetEffectiveLimits("t", workspace);

        Assert.Equal(daily, limits.DailyCapUsd);
        Assert.Equal(monthly, limits.MonthlyCapUsd);
        Assert.Equal(enforcement, limits.Enforcement);
        Assert.Equal(inherit, limits.InheritGlobal);
    }

    [Fact]
    public void Defaults_fill_enforcement_and_thresholds_when_nothing_is_set()
    {
        using var tenants = new TempTenants();
        var limits = tenants.Write("t/tenant.yaml", TwoWorkspaces).Load().GetEffectiveLimits(new TenantContext("t", "main"));

        Assert.Equal(Enforcement.Soft, limits.Enforcement);
        Assert.Equal([50m, 80m, 100m], limits.AlertThresholds);
        Assert.True(limits.InheritGlobal);
        Assert.Null(limits.DailyCapUsd);
    }

    [Fact]
    public void Policy_merges_workspace_over_tenant_over_global_over_defaults()
    {
        using var tenants = new TempTenants();
        var registry = tenants
            .Write("_global.yaml", "policy:\n  requests_per_minute: 10\n  cache_ttl_seconds: 60\n")
            .Write("t/tenant.yaml", TwoWorkspaces)
            .Write("t/policy_overrides.yaml", "max_tokens: 500\ndownshift: true\ncache_ttl_seconds: 0\n")
            .Load();

        var main = registry.GetPolicy(new TenantContext("t", "main"));
        var side = registry.GetPolicy(new TenantContext("t", "side"));

        Assert.Equal(10, main.RequestsPerMinute);
        Assert.Equal(500, main.MaxTokens);
        Assert.True(main.Downshift);
        Assert.Equal(TimeSpan.Zero, main.CacheTtl);
        Assert.Equal(EffectivePolicy.DefaultReservationTtl, main.ReservationTtl);
        Assert.Null(main.TokensPerMinute);
        Assert.Equal(100, side.MaxTokens);
    }

    [Fact]
    public void The_budget_rules_carry_the_rate_limits_the_tenant_grain_decides_on()
    {
        using var tenants = new TempTenants();
        var registry = tenants
            .Write("_global.yaml", "policy:\n  requests_per_minute: 10\n")
            .Write("t/tenant.yaml", TwoWorkspaces.Replace("      max_tokens: 100", "      max_tokens: 100\n      tokens_per_minute: 5000", StringComparison.Ordinal))
            .Write("t/policy_overrides.yaml", "tokens_per_minute: 9000\n")
            .Load();

        var rules = registry.GetBudgetRules("t", runtimeOverride: null);

        Assert.Equal(new OrleansTenancy.Tenancy.Rates.RateLimits(10, 9000), rules.RateOf("main"));
        Assert.Equal(new OrleansTenancy.Tenancy.Rates.RateLimits(10, 5000), rules.RateOf("side"));
        Assert.Equal(registry.GetPolicy(new TenantContext("t", "side")).TokensPerMinute, rules.RateOf("side").TokensPerMinute);
    }

    [Fact]
    public void Unknown_tenant_or_workspace_is_named_in_the_exception()
    {
        using var tenants = new TempTenants();
        var registry = tenants.Write("t/tenant.yaml", TwoWorkspaces).Load();

        var noTenant = Assert.Throws<KeyNotFoundException>(() => registry.GetEffectiveLimits("nobody"));
        var noWorkspace = Assert.Throws<KeyNotFoundException>(() => registry.GetRouting(new TenantContext("t", "nowhere")));

        Assert.Contains("'nobody'", noTenant.Message, StringComparison.Ordinal);
        Assert.Contains("'nowhere'", noWorkspace.Message, StringComparison.Ordinal);
        Assert.Contains("main, side", noWorkspace.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_main_exists_without_a_default_folder()
    {
        using var tenants = new TempTenants();
        var registry = tenants.Load();

        Assert.Empty(registry.Problems);
        Assert.Equal(Enforcement.Soft, registry.GetEffectiveLimits(TenantContext.Default).Enforcement);
    }

    [Fact]
    public void Suspended_status_and_numeric_string_prices_are_read()
    {
        using var tenants = new TempTenants();
        var registry = tenants
            .Write("t/tenant.yaml", TwoWorkspaces + "\nstatus: suspended\n")
            .Write("t/routing.yaml", "pricing:\n  a/one: { prompt: \"0.000001\", completion: 2E-6, max_completion_tokens: 4096, context_length: 32000 }\n")
            .Load();

        Assert.Empty(registry.Problems);
        Assert.Equal(TenantStatus.Suspended, registry.Find("t")!.Status);
        Assert.Equal(new Pricing.ModelPrice(0.000001m, 0.000002m, 4096, 32000), registry.GetRouting(new TenantContext("t", "main")).Pricing["a/one"]);
    }

    [Fact]
    public void A_registry_built_in_code_resolves_and_rejects_double_bindings()
    {
        static TenantDefinition Tenant(string slug, ulong guild) => new()
        {
            Slug = slug,
            DisplayName = slug,
            Workspaces = new Dictionary<string, WorkspaceDefinition>
            {
                ["main"] = new("main", "main", [guild], RoutingSettings.Empty, new BudgetLimits { DailyCapUsd = 4 }, PolicySettings.Empty),
            },
        };

        var registry = TenantRegistry.FromDefinitions([Tenant("a", 123456789012345678), Tenant("b", 223456789012345678)]);

        Assert.True(registry.TryResolveGuild(223456789012345678, out var context));
        Assert.Equal(new TenantContext("b", "main"), context);
        Assert.Equal(4m, registry.GetEffectiveLimits(context).DailyCapUsd);
        Assert.Throws<ArgumentException>(() => TenantRegistry.FromDefinitions([Tenant("a", 123456789012345678), Tenant("b", 123456789012345678)]));
    }

    [Fact]
    public void Problems_format_as_file_line_message()
    {
        var error = new TenantProblem("tenants/acme/budgets.yaml", 3, 5, ProblemSeverity.Error, "Bad value.", "acme");
        var warning = error with { Severity = ProblemSeverity.Warning };

        Assert.Equal("tenants/acme/budgets.yaml:3: Bad value.", error.ToString());
        Assert.Equal("tenants/acme/budgets.yaml:3: warning: Bad value.", warning.ToString());
    }
}
