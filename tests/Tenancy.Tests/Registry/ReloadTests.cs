using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Tests.Registry;

/// <summary>Broken tenants are isolated; a reload keeps the last good version of what broke.</summary>
public sealed class ReloadTests
{
    [Fact]
    public void One_broken_tenant_is_reported_and_the_others_load()
    {
        using var tenants = new TempTenants();
        var registry = tenants
            .Write("good/tenant.yaml", TempTenants.TenantYaml(guild: "123456789012345678"))
            .Write("bad/tenant.yaml", TempTenants.TenantYaml(guild: "223456789012345678"))
            .Write("bad/budgets.yaml", "daily_cap_usd: -5\n")
            .Load();

        Assert.NotNull(registry.Find("good"));
        Assert.Null(registry.Find("bad"));
        Assert.False(registry.TryResolveGuild(223456789012345678UL, out _));
        var problem = Assert.Single(registry.Problems);
        Assert.Equal("bad", problem.Tenant);
        Assert.True(registry.HasErrors);
    }

    [Fact]
    public void A_broken_edit_keeps_the_last_good_tenant_and_a_fixed_edit_replaces_it()
    {
        using var tenants = new TempTenants();
        tenants.Write("t/tenant.yaml", TempTenants.TenantYaml()).Write("t/budgets.yaml", "daily_cap_usd: 5\n");
        var first = tenants.Load();

        tenants.Write("t/budgets.yaml", "daily_cap_usd: [oops\n");
        var second = tenants.Load(first);

        Assert.Same(first.Find("t"), second.Find("t"));
        Assert.Equal(5m, second.GetEffectiveLimits("t").DailyCapUsd);
        Assert.Contains(second.Problems, p => p.Severity == ProblemSeverity.Error && p.File == tenants.PathOf("t/budgets.yaml"));
        Assert.Contains(second.Problems, p => p.Severity == ProblemSeverity.Warning && p.Message.Contains("last good", StringComparison.Ordinal));

        tenants.Write("t/budgets.yaml", "daily_cap_usd: 7\n");
        var third = tenants.Load(second);

        Assert.Equal(7m, third.GetEffectiveLimits("t").DailyCapUsd);
        Assert.Empty(third.Problems);
    }

    [Fact]
    public void Without_a_previous_snapshot_a_broken_tenant_is_absent()
    {
        using var tenants = new TempTenants();
        var registry = tenants.Write("t/tenant.yaml", "workspaces: [\n").Load();

        Assert.Null(registry.Find("t"));
    }

    [Fact]
    public void A_broken_global_file_keeps_the_last_good_defaults()
    {
        using var tenants = new TempTenants();
        tenants.Write("_global.yaml", "budgets:\n  daily_cap_usd: 3\n");
        var first = tenants.Load();

        tenants.Write("_global.yaml", "budgets:\n  daily_cap_usd: 3\n  inherit_global: true\n");
        var second = tenants.Load(first);

        Assert.Equal(3m, second.GetEffectiveLimits("default", "main").DailyCapUsd);
        Assert.Contains(second.Problems, p => p.Message.Contains("'inherit_global' has no meaning in _global.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void A_removed_tenant_folder_unloads_the_tenant()
    {
        using var tenants = new TempTenants();
        tenants.Write("t/tenant.yaml", TempTenants.TenantYaml());
        var first = tenants.Load();

        Directory.Delete(tenants.PathOf("t"), recursive: true);

        Assert.Null(tenants.Load(first).Find("t"));
    }

    [Fact]
    public void A_guild_claimed_by_two_tenants_stays_with_the_tenant_that_had_it()
    {
        using var tenants = new TempTenants();
        tenants.Write("zeta/tenant.yaml", TempTenants.TenantYaml(guild: "123456789012345678"));
        var first = tenants.Load();

        tenants.Write("alpha/tenant.yaml", TempTenants.TenantYaml(guild: "123456789012345678"));
        var second = tenants.Load(first);

        Assert.True(second.TryResolveGuild(123456789012345678UL, out var owner));
        Assert.Equal(new TenantContext("zeta", "main"), owner);
        Assert.Null(second.Find("alpha"));
        var conflict = Assert.Single(second.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.Equal("alpha", conflict.Tenant);
        Assert.Contains("already claimed by zeta:main", conflict.Message, StringComparison.Ordinal);
        Assert.Equal((tenants.PathOf("alpha/tenant.yaml"), 4), (conflict.File, conflict.Line));
    }

    [Fact]
    public void Validate_orders_problems_and_builds_paths_from_the_directory_as_given()
    {
        using var tenants = new TempTenants();
        tenants.Write("b/tenant.yaml", TempTenants.TenantYaml(guild: "1"))
            .Write("a/tenant.yaml", TempTenants.TenantYaml())
            .Write("a/budgets.yaml", "daily_cap_usd: x\nmonthly_cap_usd: y\n");

        var problems = TenantRegistryLoader.Validate(tenants.Root);

        Assert.Equal(
            [$"{tenants.Root}/a/budgets.yaml:1", $"{tenants.Root}/a/budgets.yaml:2", $"{tenants.Root}/b/tenant.yaml:4"],
            problems.Select(p => $"{p.File}:{p.Line}"));
        Assert.All(problems, p => Assert.Equal(ProblemSeverity.Error, p.Severity));
    }

    [Fact]
    public void A_missing_tenants_folder_is_an_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-tenants-" + Guid.NewGuid().ToString("N"));

        var problem = Assert.Single(TenantRegistryLoader.Validate(missing));

        Assert.Equal(missing, problem.File);
        Assert.Contains("does not exist", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dangling_file_link_is_reported_as_unreadable()
    {
        using var tenants = new TempTenants();
        tenants.Write("t/tenant.yaml", TempTenants.TenantYaml());
        File.CreateSymbolicLink(tenants.PathOf("t/budgets.yaml"), tenants.PathOf("t/nowhere.yaml"));

        var registry = tenants.Load();

        Assert.Contains(registry.Problems, p => p.File == tenants.PathOf("t/budgets.yaml") && p.Message.Contains("cannot be read", StringComparison.Ordinal));
        Assert.Null(registry.Find("t"));
    }
}
