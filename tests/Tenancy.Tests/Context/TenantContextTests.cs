using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Tenancy.Tests.ContextTests;

public class TenantContextTests
{
    [Theory]
    [InlineData("acme", "support", "faq", "acme:support:faq")]
    [InlineData("default", "main", "history", "default:main:history")]
    [InlineData("t", "w", "a:b", "t:w:a:b")]
    public void MemNs_joins_tenant_workspace_and_name_with_colons(string tenant, string workspace, string name, string expected)
    {
        Assert.Equal(expected, TenantContext.MemNs(new TenantContext(tenant, workspace), name));
    }

    [Fact]
    public void MemNs_rejects_an_empty_context_and_an_empty_name()
    {
        Assert.Throws<ArgumentException>(() => TenantContext.MemNs(default, "faq"));
        Assert.Throws<ArgumentException>(() => TenantContext.MemNs(new TenantContext("acme", "support"), ""));
    }

    [Theory]
    [InlineData("", "main", "Tenant")]
    [InlineData("acme", "", "Workspace")]
    [InlineData("  ", "main", "Tenant")]
    [InlineData("ac:me", "main", "Tenant")]
    [InlineData("acme", "ma:in", "Workspace")]
    public void Parts_must_be_non_empty_and_free_of_colons(string tenant, string workspace, string offendingPart)
    {
        var ex = Assert.Throws<ArgumentException>(() => new TenantContext(tenant, workspace));
        Assert.Equal(offendingPart, ex.ParamName);
        Assert.Contains($"TenantContext.{offendingPart}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_expression_is_validated_too()
    {
        var context = new TenantContext("acme", "support");
        Assert.Throws<ArgumentException>(() => context with { Workspace = "x:y" });
        Assert.Equal(new TenantContext("acme", "sales"), context with { Workspace = "sales" });
    }

    [Theory]
    [InlineData("acme:support:faq", true)]
    [InlineData("acme:support:", false)]
    [InlineData("acme:support", false)]
    [InlineData("acme:sales:faq", false)]
    [InlineData("acmex:support:faq", false)]
    [InlineData("acme:supportx:faq", false)]
    [InlineData("other:support:faq", false)]
    public void OwnsNamespace_accepts_only_the_callers_prefix(string memoryNamespace, bool expected)
    {
        Assert.Equal(expected, new TenantContext("acme", "support").OwnsNamespace(memoryNamespace));
    }

    [Theory]
    [InlineData("acme:support", true)]
    [InlineData("default:main", true)]
    [InlineData("acme", false)]
    [InlineData(":support", false)]
    [InlineData("acme:", false)]
    [InlineData("a:b:c", false)]
    [InlineData("", false)]
    [InlineData(" :main", false)]
    [InlineData("acme: ", false)]
    [InlineData("acme:\t", false)]
    public void TryParse_reads_the_ToString_form(string text, bool valid)
    {
        Assert.Equal(valid, TenantContext.TryParse(text, out var context));
        if (valid)
        {
            Assert.Equal(text, context.ToString());
        }
    }

    [Fact]
    public void Default_is_default_main()
    {
        Assert.Equal("default:main", TenantContext.Default.ToString());
        Assert.True(default(TenantContext).IsEmpty);
        Assert.False(TenantContext.Default.IsEmpty);
    }
}

public class TenantContextSerializationTests
{
    [Fact]
    public void Context_round_trips_through_System_Text_Json_as_tenant_and_workspace()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new TenantContext("acme", "support"));

        Assert.Equal("""{"Tenant":"acme","Workspace":"support"}""", json);
        Assert.Equal(new TenantContext("acme", "support"), System.Text.Json.JsonSerializer.Deserialize<TenantContext>(json));
    }

    [Fact]
    public void Deserializing_a_forged_part_is_rejected()
    {
        Assert.ThrowsAny<Exception>(() => System.Text.Json.JsonSerializer.Deserialize<TenantContext>("""{"Tenant":"acme:evil","Workspace":"main"}"""));
    }
}
