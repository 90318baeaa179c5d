using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Tests.Registry;

/// <summary>
/// A guild or API key claimed by two tenants never routes to the newcomer: the tenant that held it keeps it, whether
/// the silo is reloading (the previous snapshot says who held it) or starting (the claims it remembered say so); when
/// nobody held it, neither claimant gets it.
/// </summary>
public sealed class ClaimConflictTests
{
    private const string Guild = "123456789012345678";
    private static readonly string Hash = new('c', 64);

    [Fact]
    public void On_a_load_that_knows_no_owner_neither_claimant_gets_a_contested_guild_or_key()
    {
        using var tenants = Contested(new TempTenants());

        var registry = tenants.Load();

        Assert.Null(registry.Find("aaa"));
        Assert.Null(registry.Find("zeta"));
        Assert.False(registry.TryResolveGuild(Guild, out _));
        Assert.False(registry.TryFindApiKey(Hash, out _));
        Assert.Contains(registry.Problems, p => p.Tenant == "aaa" && p.Line == 4 && p.Message.Contains("neither", StringComparison.Ordinal) && p.Message.Contains("zeta", StringComparison.Ordinal));
        Assert.Contains(registry.Problems, p => p.Tenant == "zeta" && p.Line == 8 && p.Message.Contains("aaa", StringComparison.Ordinal));
    }

    [Fact]
    public void A_restart_keeps_a_contested_claim_with_the_tenant_that_held_it_while_running()
    {
        using var tenants = new TempTenants();
        tenants.Write("zeta/tenant.yaml", TempTenants.TenantYaml(guild: Guild) + Keys());
        var running = tenants.Load();

        // A newcomer that sorts first claims the running tenant's guild and key: refused while running ...
        tenants.Write("aaa/tenant.yaml", TempTenants.TenantYaml(guild: Guild) + Keys());
        var reloaded = tenants.Load(running);

        // ... and refused again after a restart that remembers who held them.
        var restarted = TenantRegistryLoader.Load(tenants.Root, null, TenantLoadLimits.Default, reloaded.Claims);

        foreach (var registry in new[] { reloaded, restarted })
        {
            Assert.Null(registry.Find("aaa"));
            Assert.True(registry.TryResolveGuild(Guild, out var owner));
            Assert.Equal("zeta", owner.Tenant);
            Assert.True(registry.TryFindApiKey(Hash, out var binding));
            Assert.Equal("zeta", binding.Context.Tenant);
            Assert.Contains(registry.Problems, p => p.Tenant == "aaa" && p.Message.Contains("already claimed by zeta", StringComparison.Ordinal));
        }

        Assert.Equal(reloaded.Claims, restarted.Claims);
    }

    [Fact]
    public void Claims_name_the_owner_of_every_guild_and_key_and_a_released_claim_moves_on()
    {
        using var tenants = new TempTenants();
        tenants.Write("zeta/tenant.yaml", TempTenants.TenantYaml(guild: Guild) + Keys());
        var first = tenants.Load();

        Assert.Equal("zeta", first.Claims.Guilds[ulong.Parse(Guild, System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal("zeta", first.Claims.ApiKeys[Hash]);

        // Zeta drops both; the newcomer is then the only claimant, even with the old owners remembered.
        tenants.Write("zeta/tenant.yaml", TempTenants.TenantYaml(guild: "223456789012345678"));
        tenants.Write("aaa/tenant.yaml", TempTenants.TenantYaml(guild: Guild) + Keys());
        var second = TenantRegistryLoader.Load(tenants.Root, null, TenantLoadLimits.Default, first.Claims);

        Assert.True(second.TryResolveGuild(Guild, out var owner));
        Assert.Equal("aaa", owner.Tenant);
        Assert.Equal("aaa", second.Claims.ApiKeys[Hash]);
    }

    [Fact]
    public void An_edit_that_claims_another_tenants_guild_keeps_its_last_good_version()
    {
        using var tenants = new TempTenants();
        tenants.Write("zeta/tenant.yaml", TempTenants.TenantYaml(guild: Guild));
        tenants.Write("beta/tenant.yaml", TempTenants.TenantYaml(guild: "223456789012345678"));
        var first = tenants.Load();

        tenants.Write("beta/tenant.yaml", "workspaces:\n  main:\n    discord_guild_id: [223456789012345678, " + Guild + "]\n");
        var second = tenants.Load(first);

        Assert.Same(first.Find("beta"), second.Find("beta"));
        Assert.True(second.TryResolveGuild(Guild, out var owner));
        Assert.Equal("zeta", owner.Tenant);
    }

    private static string Keys() => $"\napi_keys:\n  - id: k\n    workspace: main\n    sha256: {Hash}\n";

    private static TempTenants Contested(TempTenants tenants) => tenants
        .Write("aaa/tenant.yaml", TempTenants.TenantYaml(guild: Guild) + Keys())
        .Write("zeta/tenant.yaml", TempTenants.TenantYaml(guild: Guild) + Keys());
}
