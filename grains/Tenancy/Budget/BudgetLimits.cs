namespace OrleansTenancy.Tenancy;

/// <summary>
/// Budget limits as configured (in <c>budgets.yaml</c>, a workspace override, the global defaults or the
/// runtime API). A <see langword="null"/> member means "not set at this level"; the registry merges levels
/// into effective limits. JSON names equal the YAML field names.
/// </summary>
public sealed record BudgetLimits
{
    /// <summary>Calendar-day cost cap in USD.</summary>
    public decimal? DailyCapUsd { get; init; }

    /// <summary>Calendar-month cost cap in USD.</summary>
    public decimal? MonthlyCapUsd { get; init; }

    /// <summary>Calendar-day token cap (prompt + completion).</summary>
    public long? DailyTokens { get; init; }

    /// <summary>Calendar-month token cap (prompt + completion).</summary>
    public long? MonthlyTokens { get; init; }

    /// <summary>Calendar-day cap on the number of executions.</summary>
    public long? DailyExecutions { get; init; }

    /// <summary>Calendar-month cap on the number of executions.</summary>
    public long? MonthlyExecutions { get; init; }

    /// <summary>Largest worst-case cost in USD one request may reserve.</summary>
    public decimal? MaxPerRequest { get; init; }

    /// <summary>How limits are enforced.</summary>
    public Enforcement? Enforcement { get; init; }

    /// <summary>Soft-alert thresholds in percent of a limit (for example 50, 80, 100).</summary>
    public IReadOnlyList<decimal>? AlertThresholds { get; init; }

    /// <summary>Whether unset limits fall back to the global defaults (default <see langword="true"/>).</summary>
    public bool? InheritGlobal { get; init; }
}
