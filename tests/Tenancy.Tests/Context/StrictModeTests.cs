using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Context;

namespace OrleansTenancy.Tenancy.Tests.ContextTests;

public class StrictModeTests
{
    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("Yes", true)]
    [InlineData("on", true)]
    [InlineData(" On ", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    [InlineData("2", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Either_variable_turns_strict_mode_on(string? value, bool expected)
    {
        Assert.Equal(expected, TenancyOptions.IsStrictFromEnvironment(Env(("ENABLE_TENANCY_STRICT", value))));
        Assert.Equal(expected, TenancyOptions.IsStrictFromEnvironment(Env(("ENABLE_INGEST_STRICT", value))));
    }

    [Fact]
    public void Configuration_wins_over_the_environment()
    {
        var on = Env(("ENABLE_TENANCY_STRICT", "1"));
        Assert.False(new TenancyOptions { Strict = false }.ResolveStrict(on));
        Assert.True(new TenancyOptions { Strict = true }.ResolveStrict(Env()));
        Assert.True(new TenancyOptions().ResolveStrict(on));
        Assert.False(new TenancyOptions().ResolveStrict(Env()));
    }

    [Fact]
    public void Explicit_context_wins_over_ambient()
    {
        var resolved = TenantContextResolver.Resolve(new TenantContext("acme", "support"), new TenantContext("globex", "main"), strict: true, "openrouter_service");
        Assert.Equal(new EffectiveTenantContext(new TenantContext("acme", "support"), FellBack: false), resolved);
    }

    [Fact]
    public void Ambient_context_is_used_when_none_is_explicit()
    {
        using var scope = AmbientTenantContext.Enter(new TenantContext("globex", "main"));
        var resolved = TenantContextResolver.ResolveEffective(null, strict: true, "memory_service");
        Assert.Equal(new TenantContext("globex", "main"), resolved.Context);
        Assert.False(resolved.FellBack);
    }

    [Fact]
    public void Strict_mode_without_a_context_throws_naming_the_component_and_the_fix()
    {
        using var scope = AmbientTenantContext.Suppress();
        var ex = Assert.Throws<TenantContextMissingException>(() => TenantContextResolver.ResolveEffective(null, strict: true, "openrouter_service"));
        Assert.Equal("openrouter_service", ex.Component);
        Assert.Contains("ENABLE_TENANCY_STRICT", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AmbientTenantContext.Enter", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_strict_mode_without_a_context_falls_back_to_default_main()
    {
        using var scope = AmbientTenantContext.Suppress();
        var resolved = TenantContextResolver.ResolveEffective(null, strict: false, "openrouter_service");
        Assert.Equal(new EffectiveTenantContext(TenantContext.Default, FellBack: true), resolved);
        Assert.Equal("default", resolved.Context.Tenant);
        Assert.Equal("main", resolved.Context.Workspace);
    }

    private static Func<string, string?> Env(params (string Name, string? Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
