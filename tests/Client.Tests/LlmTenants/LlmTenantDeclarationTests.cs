using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client.Tests.LlmTenants;

/// <summary>
/// How the attribute and the fluent form declare tenants: options stored and defaulted, limits imply a budget, id and
/// name resolution, and what is refused. Nothing here reaches a cluster.
/// </summary>
public sealed class LlmTenantDeclarationTests
{
    private static ILlmTenants Declared(Action<IServiceCollection>? declare = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(new TenancyClient(
            NoCluster.Create(), Microsoft.Extensions.Options.Options.Create(new TenancyClientOptions()), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<TenancyClient>.Instance));
        declare?.Invoke(services);
        services.AddLlmTenants();
        return services.BuildServiceProvider().GetRequiredService<ILlmTenants>();
    }

    [Fact]
    public void The_attribute_stores_every_option()
    {
        var options = Declared().OptionsFor(typeof(Organization))!;

        Assert.Equal(("Slug", "DisplayName", true, Enforcement.Hard, false), (options.IdMember, options.NameMember, options.Budget, options.Enforcement, options.InheritGlobal));
        Assert.Equal(
            new LlmTenantLimits { DailyCost = 5m, MonthlyCost = 100m, DailyTokens = 1_000_000, MonthlyTokens = 10_000_000, DailyExecutions = 100, MonthlyExecutions = 1_000 },
            options.Limits);
        Assert.Equal(
            new BudgetLimits
            {
                DailyCapUsd = 5m, MonthlyCapUsd = 100m, DailyTokens = 1_000_000, MonthlyTokens = 10_000_000, DailyExecutions = 100, MonthlyExecutions = 1_000,
                Enforcement = Enforcement.Hard, InheritGlobal = false,
            },
            options.ToBudgetLimits());
    }

    [Fact]
    public void Options_left_out_take_their_defaults_and_no_budget()
    {
        var options = Declared().OptionsFor(typeof(Account))!;

        Assert.Equal(("Id", null, false, Enforcement.Soft, true), (options.IdMember, options.NameMember, options.Budget, options.Enforcement, options.InheritGlobal));
        Assert.True(options.Limits.IsEmpty);
        Assert.Empty(options.Workspaces);
        Assert.Equal("main", options.DefaultWorkspace);
        Assert.Null(options.ToBudgetLimits());
    }

    [Fact]
    public void Limits_imply_a_budget_and_budget_alone_gives_one_on_the_global_defaults()
    {
        var tenants = Declared(s => s.AddLlmTenant<Team>(t => t.Id(x => x.Slug).Limits(l => l.MonthlyTokens(500))));

        var limited = tenants.OptionsFor(typeof(Team))!;
        var budgetOnly = tenants.OptionsFor(typeof(Workshop))!;

        Assert.True(limited.Budget);
        Assert.Equal(new BudgetLimits { MonthlyTokens = 500, Enforcement = Enforcement.Soft, InheritGlobal = true }, limited.ToBudgetLimits());
        Assert.True(budgetOnly.Budget);
        Assert.Equal(new BudgetLimits { Enforcement = Enforcement.Soft, InheritGlobal = true }, budgetOnly.ToBudgetLimits());
    }

    [Fact]
    public void The_fluent_form_makes_the_same_options_as_the_attribute()
    {
        var fluent = Declared(s => s.AddLlmTenant<Organization>(t => t
                .Id(o => o.Slug)
                .Name(o => o.DisplayName)
                .Limits(l => l.DailyCost(5m).MonthlyCost(100m).DailyTokens(1_000_000).MonthlyTokens(10_000_000).DailyExecutions(100).MonthlyExecutions(1_000))
                .Enforcement(Enforcement.Hard)
                .InheritGlobal(false)))
            .OptionsFor(typeof(Organization))!;
        var attribute = Declared().OptionsFor(typeof(Organization))!;

        Assert.Equal(attribute.ToString(), fluent.ToString());
        Assert.Equal(attribute.ToBudgetLimits(), fluent.ToBudgetLimits());
    }

    [Fact]
    public void A_fluent_registration_wins_over_the_attribute()
    {
        var options = Declared(s => s.AddLlmTenant<Organization>(t => t.Id(o => o.DisplayName).Workspaces("support", "staff"))).OptionsFor(typeof(Organization))!;

        Assert.Equal("DisplayName", options.IdMember);
        Assert.False(options.Budget);
        Assert.Equal(["support", "staff"], options.Workspaces);
        Assert.Equal("support", options.DefaultWorkspace);
    }

    [Fact]
    public void Ids_and_names_resolve_from_the_declared_members_with_their_fallbacks()
    {
        var tenants = Declared(s => s.AddLlmTenant<Team>(t => t.Id(x => x.Slug).Name(x => x.Title)));

        var organization = tenants.For(new Organization { Slug = "acme-corp", DisplayName = "Acme Corporation" });
        var account = tenants.For(new Account { Id = 1234 });
        var partner = tenants.For(new PartnerAccount { Id = 7 });
        var workshop = tenants.For(new Workshop("ws-1"));
        var titled = tenants.For(new Team { Slug = "blue", Title = "Blue team" });
        var untitled = tenants.For(new Team { Slug = "red" });
        var plain = tenants.For(new LlmTenantId("acme"));

        Assert.Equal(("acme-corp", "Acme Corporation"), (organization.Id, organization.Name));
        Assert.Equal(("1234", "Account #1234"), (account.Id, account.Name)); // the default key, an int, as a string; the name from ToString
        Assert.Equal("7", partner.Id);
        Assert.Equal(("ws-1", "ws-1"), (workshop.Id, workshop.Name)); // a record's generated ToString is not a name
        Assert.Equal(("blue", "Blue team"), (titled.Id, titled.Name));
        Assert.Equal(("red", "red"), (untitled.Id, untitled.Name));
        Assert.Equal(("acme", "acme", null), (plain.Id, plain.Name, plain.Record));
        Assert.Same(organization, tenants.For(organization));
    }

    [Fact]
    public void An_object_that_is_not_an_llm_tenant_is_refused_naming_its_type()
    {
        var tenants = Declared();

        var invoice = Assert.Throws<ArgumentException>(() => tenants.For(new Invoice()));
        var text = Assert.Throws<ArgumentException>(() => tenants.For("acme"));

        Assert.Contains(typeof(Invoice).FullName!, invoice.Message, StringComparison.Ordinal);
        Assert.Contains("not a string", text.Message, StringComparison.Ordinal);
        Assert.Contains("LlmTenantId", text.Message, StringComparison.Ordinal);
        Assert.Null(tenants.OptionsFor(typeof(Invoice)));
    }

    [Fact]
    public void An_empty_id_or_a_member_that_does_not_exist_is_refused_naming_it()
    {
        var empty = Assert.Throws<ArgumentException>(() => Declared().For(new Organization { Slug = "" }));
        var missing = Assert.Throws<ArgumentException>(() => Declared(s => s.AddLlmTenant<Invoice>(t => t.Budget()).AddLlmTenant<Project>()));

        Assert.Contains("Organization.Slug is empty", empty.Message, StringComparison.Ordinal);
        Assert.Contains("Project has no public property or field 'Id'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_definition_carries_the_id_name_workspaces_and_budget()
    {
        var options = Declared(s => s.AddLlmTenant<Team>(t => t.Id(x => x.Slug).Name(x => x.Title).Workspaces("support").Limits(l => l.DailyCost(2m))))
            .OptionsFor(typeof(Team))!;

        var definition = options.ToDefinition(new Team { Slug = "blue", Title = "Blue team" });

        Assert.Equal(("blue", "Blue team"), (definition.Id, definition.Name));
        Assert.Equal(["support"], definition.Workspaces);
        Assert.Equal(2m, definition.Budget!.DailyCapUsd);
    }
}

/// <summary>A cluster client for code that must not call the cluster: every member throws.</summary>
public class NoCluster : System.Reflection.DispatchProxy
{
    public static IClusterClient Create() => Create<IClusterClient, NoCluster>();

    protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
        throw new InvalidOperationException($"{targetMethod?.Name} reached the cluster in a test that has none.");
}
