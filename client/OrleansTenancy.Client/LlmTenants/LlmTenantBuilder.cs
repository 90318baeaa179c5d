using System.Linq.Expressions;
using System.Reflection;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// The fluent form of <see cref="LlmTenantAttribute"/>, given to <c>services.AddLlmTenant&lt;T&gt;(t => …)</c>. Every
/// option left out keeps the default of <see cref="LlmTenantOptions"/>.
/// </summary>
/// <typeparam name="T">The tenant type.</typeparam>
/// <example>
/// <code>
/// services.AddLlmTenant&lt;Organization&gt;(t => t
///     .Id(o => o.Slug)
///     .Name(o => o.DisplayName)
///     .Limits(l => l.DailyCost(5m).MonthlyCost(100m).DailyTokens(1_000_000))
///     .Enforcement(Enforcement.Hard)
///     .InheritGlobal(false));
/// </code>
/// </example>
public sealed class LlmTenantBuilder<T>
    where T : class
{
    private string _idMember = LlmTenantOptions.DefaultIdMember;
    private Func<object, object?>? _id;
    private string? _nameMember;
    private Func<object, string?>? _name;
    private bool _budget;
    private LlmTenantLimits _limits = LlmTenantLimits.None;
    private Enforcement? _enforcement;
    private bool? _inheritGlobal;
    private IReadOnlyList<string>? _workspaces;

    /// <summary>Where the tenant id comes from (default: the <c>Id</c> property); any value is turned into an invariant string.</summary>
    public LlmTenantBuilder<T> Id<TKey>(Expression<Func<T, TKey>> id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var compiled = id.Compile();
        _idMember = Describe(id);
        _id = o => compiled((T)o);
        return this;
    }

    /// <summary>Where the display name comes from (default: the object's own <c>ToString()</c>, else the id).</summary>
    public LlmTenantBuilder<T> Name(Expression<Func<T, string?>> name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var compiled = name.Compile();
        _nameMember = Describe(name);
        _name = o => compiled((T)o);
        return this;
    }

    /// <summary>Gives the tenant a budget of its own (default off; any limit turns it on).</summary>
    public LlmTenantBuilder<T> Budget(bool budget = true)
    {
        _budget = budget;
        return this;
    }

    /// <summary>Sets limits (each unset by default); giving one implies a budget.</summary>
    public LlmTenantBuilder<T> Limits(Func<LlmTenantLimitsBuilder, LlmTenantLimitsBuilder> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits(new LlmTenantLimitsBuilder(_limits)).Limits;
        return this;
    }

    /// <summary>How limits are enforced (default <see cref="GrainInterfaces.Enforcement.Soft"/>).</summary>
    public LlmTenantBuilder<T> Enforcement(Enforcement enforcement)
    {
        _enforcement = enforcement;
        return this;
    }

    /// <summary>Whether unset limits come from the cluster's global defaults (default <see langword="true"/>).</summary>
    public LlmTenantBuilder<T> InheritGlobal(bool inheritGlobal = true)
    {
        _inheritGlobal = inheritGlobal;
        return this;
    }

    /// <summary>The tenant's workspaces; the first is where calls run (default: the default workspace only).</summary>
    public LlmTenantBuilder<T> Workspaces(params string[] workspaces)
    {
        ArgumentNullException.ThrowIfNull(workspaces);
        foreach (var workspace in workspaces)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(workspace, nameof(workspaces));
        }

        _workspaces = workspaces;
        return this;
    }

    /// <summary>The options made of what was set.</summary>
    internal LlmTenantOptions Build() => new(
        typeof(T),
        _idMember,
        _id ?? LlmTenantDeclarations.MemberReader(typeof(T), _idMember, nameof(LlmTenantAttribute.Id)),
        _nameMember,
        _name,
        _budget,
        _limits,
        _enforcement,
        _inheritGlobal,
        _workspaces);

    private static string Describe(LambdaExpression selector) =>
        selector.Body is MemberExpression { Member: PropertyInfo or FieldInfo } member && member.Expression == selector.Parameters[0]
            ? member.Member.Name
            : selector.Body.ToString();
}

/// <summary>The limits of <see cref="LlmTenantBuilder{T}.Limits"/>; each method sets one and returns the builder.</summary>
public sealed class LlmTenantLimitsBuilder
{
    internal LlmTenantLimitsBuilder(LlmTenantLimits limits) => Limits = limits;

    internal LlmTenantLimits Limits { get; private set; }

    /// <summary>Daily cost cap in USD (<c>daily_cap_usd</c>).</summary>
    public LlmTenantLimitsBuilder DailyCost(decimal usd) => Set(Limits with { DailyCost = usd });

    /// <summary>Monthly cost cap in USD (<c>monthly_cap_usd</c>).</summary>
    public LlmTenantLimitsBuilder MonthlyCost(decimal usd) => Set(Limits with { MonthlyCost = usd });

    /// <summary>Daily token cap (<c>daily_tokens</c>).</summary>
    public LlmTenantLimitsBuilder DailyTokens(long tokens) => Set(Limits with { DailyTokens = tokens });

    /// <summary>Monthly token cap (<c>monthly_tokens</c>).</summary>
    public LlmTenantLimitsBuilder MonthlyTokens(long tokens) => Set(Limits with { MonthlyTokens = tokens });

    /// <summary>Daily execution cap (<c>daily_executions</c>).</summary>
    public LlmTenantLimitsBuilder DailyExecutions(long executions) => Set(Limits with { DailyExecutions = executions });

    /// <summary>Monthly execution cap (<c>monthly_executions</c>).</summary>
    public LlmTenantLimitsBuilder MonthlyExecutions(long executions) => Set(Limits with { MonthlyExecutions = executions });

    /// <summary>Largest worst-case cost of one call in USD (<c>max_per_request</c>).</summary>
    public LlmTenantLimitsBuilder MaxPerRequest(decimal usd) => Set(Limits with { MaxPerRequest = usd });

    private LlmTenantLimitsBuilder Set(LlmTenantLimits limits)
    {
        Limits = limits;
        return this;
    }
}
