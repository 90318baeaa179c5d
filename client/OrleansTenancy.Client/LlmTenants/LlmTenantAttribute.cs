using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// Declares a class an LLM tenant: each object of it is a tenant of the cluster, with the id, name, budget and limits
/// named here. Equivalent to <c>services.AddLlmTenant&lt;T&gt;(…)</c>; a fluent registration of the same type wins over
/// the attribute. Every option is optional; the defaults are those of <see cref="LlmTenantOptions"/>.
/// </summary>
/// <remarks>
/// An attribute cannot hold <see cref="decimal"/> or nullable values, so costs are <see cref="double"/> (converted to
/// <see cref="decimal"/>, the cluster's money type) and a limit left at its default (<see cref="double.NaN"/> for a
/// cost, <c>-1</c> for a count) is unset.
/// </remarks>
/// <example>
/// <code>
/// [LlmTenant(Id = nameof(Slug), Name = nameof(DisplayName), DailyCost = 5, MonthlyCost = 100, Enforcement = Enforcement.Hard)]
/// public sealed class Organization { public string Slug { get; set; } = ""; public string DisplayName { get; set; } = ""; }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class LlmTenantAttribute : Attribute
{
    /// <summary>The public property or field the tenant id comes from. Defaults to <c>Id</c>.</summary>
    public string Id { get; set; } = LlmTenantOptions.DefaultIdMember;

    /// <summary>The public property or field the display name comes from. Unset: the object's own <c>ToString()</c>, else the id.</summary>
    public string? Name { get; set; }

    /// <summary>Whether the tenant gets a budget of its own even without limits. Defaults to <see langword="false"/>; any limit implies it.</summary>
    public bool Budget { get; set; }

    /// <summary>Daily cost cap in USD; unset by default.</summary>
    public double DailyCost { get; set; } = double.NaN;

    /// <summary>Monthly cost cap in USD; unset by default.</summary>
    public double MonthlyCost { get; set; } = double.NaN;

    /// <summary>Daily token cap; unset (-1) by default.</summary>
    public long DailyTokens { get; set; } = -1;

    /// <summary>Monthly token cap; unset (-1) by default.</summary>
    public long MonthlyTokens { get; set; } = -1;

    /// <summary>Daily execution cap; unset (-1) by default.</summary>
    public long DailyExecutions { get; set; } = -1;

    /// <summary>Monthly execution cap; unset (-1) by default.</summary>
    public long MonthlyExecutions { get; set; } = -1;

    /// <summary>Largest worst-case cost of one call in USD; unset by default.</summary>
    public double MaxPerRequest { get; set; } = double.NaN;

    /// <summary>How limits are enforced. Defaults to <see cref="GrainInterfaces.Enforcement.Soft"/>.</summary>
    public Enforcement Enforcement { get; set; } = LlmTenantOptions.DefaultEnforcement;

    /// <summary>Whether unset limits come from the cluster's global defaults. Defaults to <see langword="true"/>.</summary>
    public bool InheritGlobal { get; set; } = true;

    /// <summary>The tenant's workspaces (the first is where calls run). Unset: the default workspace only.</summary>
    public string[]? Workspaces { get; set; }

    /// <summary>The limits set on this attribute.</summary>
    internal LlmTenantLimits Limits => new()
    {
        DailyCost = Money(DailyCost),
        MonthlyCost = Money(MonthlyCost),
        DailyTokens = Count(DailyTokens),
        MonthlyTokens = Count(MonthlyTokens),
        DailyExecutions = Count(DailyExecutions),
        MonthlyExecutions = Count(MonthlyExecutions),
        MaxPerRequest = Money(MaxPerRequest),
    };

    private static decimal? Money(double value) => double.IsNaN(value) ? null : (decimal)value;

    private static long? Count(long value) => value == -1 ? null : value;
}
