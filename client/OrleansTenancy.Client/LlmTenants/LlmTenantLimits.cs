using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// The limits an LLM tenant is created with (the <c>limits</c> of <see cref="LlmTenantOptions"/>). Every limit is
/// unset by default; an unset limit is taken from the cluster's global defaults when
/// <see cref="LlmTenantOptions.InheritGlobal"/> is on, and does not apply otherwise. Giving any limit gives the tenant a
/// budget (<see cref="LlmTenantOptions.Budget"/>). The cluster checks the values when the tenant is created and refuses
/// a negative or zero cap with an <see cref="ArgumentException"/> naming the field.
/// </summary>
public sealed record LlmTenantLimits
{
    /// <summary>No limits.</summary>
    public static LlmTenantLimits None { get; } = new();

    /// <summary>Cost cap per calendar day of the tenant, in USD (<c>daily_cap_usd</c>).</summary>
    public decimal? DailyCost { get; init; }

    /// <summary>Cost cap per calendar month, in USD (<c>monthly_cap_usd</c>).</summary>
    public decimal? MonthlyCost { get; init; }

    /// <summary>Prompt plus completion tokens per calendar day (<c>daily_tokens</c>).</summary>
    public long? DailyTokens { get; init; }

    /// <summary>Prompt plus completion tokens per calendar month (<c>monthly_tokens</c>).</summary>
    public long? MonthlyTokens { get; init; }

    /// <summary>Executions (chat calls that ran) per calendar day (<c>daily_executions</c>).</summary>
    public long? DailyExecutions { get; init; }

    /// <summary>Executions per calendar month (<c>monthly_executions</c>).</summary>
    public long? MonthlyExecutions { get; init; }

    /// <summary>The largest worst-case cost one call may reserve, in USD (<c>max_per_request</c>).</summary>
    public decimal? MaxPerRequest { get; init; }

    /// <summary>Whether no limit is set.</summary>
    public bool IsEmpty => this == None;

    /// <summary>These limits as the cluster's budget contract, with the given enforcement and inheritance.</summary>
    public BudgetLimits ToBudgetLimits(Enforcement enforcement, bool inheritGlobal) => new()
    {
        DailyCapUsd = DailyCost,
        MonthlyCapUsd = MonthlyCost,
        DailyTokens = DailyTokens,
        MonthlyTokens = MonthlyTokens,
        DailyExecutions = DailyExecutions,
        MonthlyExecutions = MonthlyExecutions,
        MaxPerRequest = MaxPerRequest,
        Enforcement = enforcement,
        InheritGlobal = inheritGlobal,
    };
}
