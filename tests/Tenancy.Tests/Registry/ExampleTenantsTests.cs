using System.Security.Cryptography;
using System.Text;
using OrleansTenancy.Tenancy.Registry;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Tenancy.Tests.Registry;

/// <summary>The shipped <c>tenants/</c> folder loads cleanly and behaves as its README describes.</summary>
public sealed class ExampleTenantsTests
{
    private static readonly TenantRegistry Registry = TenantRegistryLoader.Load(Path.Combine(RepositoryRoot.Find(), "tenants"));

    [Fact]
    public void Shipped_tenants_load_without_problems()
    {
        Assert.Empty(Registry.Problems);
        Assert.Equal(["acme", "default", "guild-of-makers"], Registry.Tenants.Select(t => t.Slug));
        Assert.Equal("Europe/Berlin", Registry.Find("acme")!.TimeZone.Id);
        Assert.Equal("America/New_York", Registry.Find("guild-of-makers")!.TimeZone.Id);
        Assert.Equal(["main"], Registry.Find("default")!.Workspaces.Keys);
    }

    [Theory]
    [InlineData("1098765432109876543", "acme", "staff")]
    [InlineData("1123456789012345678", "acme", "support")]
    [InlineData("1123456789012345679", "acme", "support")]
    [InlineData("876543210987654321", "guild-of-makers", "community")]
    [InlineData("912345678901234567", "guild-of-makers", "mods")]
    public void Guilds_resolve_to_their_workspace(string guild, string tenant, string workspace)
    {
        Assert.True(Registry.TryResolveGuild(guild, out var context));
        Assert.Equal(new TenantContext(tenant, workspace), context);
        Assert.True(Registry.TryResolveGuild(ulong.Parse(guild, System.Globalization.CultureInfo.InvariantCulture), out var byNumber));
        Assert.Equal(context, byNumber);
    }

    [Theory]
    [InlineData("sk-tenant-acme-example-1", "acme-backend", "acme", "staff")]
    [InlineData("sk-tenant-acme-example-2", "acme-helpdesk", "acme", "support")]
    [InlineData("sk-tenant-makers-example-1", "makers-bot", "guild-of-makers", "community")]
    [InlineData("sk-tenant-default-example-1", "local-dev", "default", "main")]
    public void Documented_example_secrets_resolve_by_their_hash(string secret, string keyId, string tenant, string workspace)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

        Assert.True(Registry.TryFindApiKey(hash, out var binding));
        Assert.Equal(new ApiKeyBinding(keyId, new TenantContext(tenant, workspace)), binding);
        Assert.True(Registry.TryFindApiKey(hash.ToUpperInvariant(), out _));
        Assert.False(Registry.TryFindApiKey(secret, out _));
    }

    [Fact]
    public void Acme_support_routing_is_narrowed_by_the_workspace()
    {
        var routing = Registry.GetRouting(new TenantContext("acme", "support"));

        Assert.Equal(["openai/gpt-4o-mini", "anthropic/claude-3.5-haiku"], routing.AllowedModels);
        Assert.Equal("anthropic/claude-3.5-haiku", routing.ModelForTask("code"));
        Assert.Equal("openai/gpt-4o-mini", routing.ModelForTask("unheard-of-task"));
        Assert.Equal(["openai", "anthropic"], routing.Providers!.Order);
        Assert.False(routing.Providers.AllowFallbacks);
        Assert.Equal(["openai/gpt-4o-mini"], routing.FilterAllowed(["openai/gpt-4o", "openai/gpt-4o-mini", "deepseek/deepseek-chat"]));
    }

    [Fact]
    public void Acme_limits_merge_workspace_tenant_and_global()
    {
        var support = Registry.GetEffectiveLimits("acme", "support");
        var staff = Registry.GetEffectiveLimits("acme", "staff");

        Assert.Equal(8m, support.DailyCapUsd);
        Assert.Equal(150m, support.MonthlyCapUsd);
        Assert.Equal(5_000_000L, support.DailyTokens);
        Assert.Equal(Enforcement.Hard, support.Enforcement);
        Assert.Equal(25m, staff.DailyCapUsd);
        Assert.Equal([50m, 80m, 95m, 100m], staff.AlertThresholds);
    }

    [Fact]
    public void Makers_mods_do_not_inherit_global_limits()
    {
        var mods = Registry.GetEffectiveLimits("guild-of-makers", "mods");
        var community = Registry.GetEffectiveLimits("guild-of-makers", "community");

        Assert.Equal(1m, mods.DailyCapUsd);
        Assert.Equal(60m, mods.MonthlyCapUsd); // from the tenant, which is not global
        Assert.Null(mods.DailyTokens);
        Assert.False(mods.InheritGlobal);
        Assert.Equal(Enforcement.Soft, community.Enforcement);
        Assert.Equal([75m, 100m], community.AlertThresholds);
        Assert.Equal(["deepinfra", "together", "fireworks"], Registry.GetRouting(new TenantContext("guild-of-makers", "community")).Providers!.Order);
    }

    [Fact]
    public void Pricing_merges_tenant_overrides_over_the_global_list()
    {
        var routing = Registry.GetRouting(new TenantContext("guild-of-makers", "community"));

        Assert.Equal(0.00000027m, routing.Pricing["deepseek/deepseek-chat"].PromptPerToken);
        Assert.Equal(0.0000006m, routing.Pricing["openai/gpt-4o-mini"].CompletionPerToken);
        Assert.Equal(16384, routing.Pricing["openai/gpt-4o-mini"].MaxCompletionTokens);
        Assert.Equal(new Pricing.ModelPrice(0.00001m, 0.00003m), routing.UnknownModelPrice);
    }
}
