using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client.Tests.LlmTenants;

/// <summary>Declared by attribute: id from <c>Slug</c>, name from <c>DisplayName</c>, every limit, hard enforcement.</summary>
[LlmTenant(Id = nameof(Slug), Name = nameof(DisplayName), DailyCost = 5, MonthlyCost = 100, DailyTokens = 1_000_000, MonthlyTokens = 10_000_000,
    DailyExecutions = 100, MonthlyExecutions = 1_000, Enforcement = Enforcement.Hard, InheritGlobal = false)]
public sealed class Organization
{
    public string Slug { get; set; } = "";

    public string DisplayName { get; set; } = "";
}

/// <summary>Declared by attribute with every default: the id is the <c>Id</c> property (an int).</summary>
[LlmTenant]
public class Account
{
    public int Id { get; set; }

    public override string ToString() => $"Account #{Id}";
}

/// <summary>A subclass of a declared class is a tenant too.</summary>
public sealed class PartnerAccount : Account;

/// <summary>Declared by attribute with a budget and no limits; a record, whose generated ToString is no name.</summary>
[LlmTenant(Budget = true)]
public sealed record Workshop(string Id);

/// <summary>Declared by the fluent form in <see cref="LlmTenantCluster"/>.</summary>
public sealed class Team
{
    public required string Slug { get; init; }

    public string? Title { get; init; }
}

/// <summary>A project belongs to an organization; agents find the tenant through it.</summary>
public sealed record Project(string Name, Organization Owner);

/// <summary>Not declared: not an LLM tenant.</summary>
public sealed class Invoice
{
    public string Id { get; set; } = "inv-1";
}

/// <summary>An agent with every declaration.</summary>
public sealed class HelloAgent(ILlmTenants tenants) : Agent(tenants)
{
    public override string? Model => "openai/gpt-4o-mini";

    public override string? SystemPrompt => "You greet people.";

    public override double? Temperature => 0.2;

    public override int? MaxTokens => 64;
}

/// <summary>Resolves its tenant from the <c>project</c> parameter: the project's owner.</summary>
public sealed class ProjectAgent(ILlmTenants tenants) : Agent(tenants)
{
    public override string? Model => "openai/gpt-4o-mini";

    protected override object? ResolveTenant(AgentCall request) => request.Parameter<Project>("project").Owner;
}
