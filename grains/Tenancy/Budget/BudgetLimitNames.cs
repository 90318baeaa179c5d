namespace OrleansTenancy.Tenancy.Budget;

/// <summary>
/// The one spelling of every budget limit: the field name of <c>budgets.yaml</c>, which the admin API, refusal
/// messages, the <c>reason</c> of <c>llm_budget_rejections_total</c> and the <c>limit</c> of alerts use too.
/// </summary>
public static class BudgetLimitNames
{
    /// <summary>Calendar-day cost cap.</summary>
    public const string DailyCapUsd = "daily_cap_usd";

    /// <summary>Calendar-month cost cap.</summary>
    public const string MonthlyCapUsd = "monthly_cap_usd";

    /// <summary>Calendar-day token cap.</summary>
    public const string DailyTokens = "daily_tokens";

    /// <summary>Calendar-month token cap.</summary>
    public const string MonthlyTokens = "monthly_tokens";

    /// <summary>Calendar-day execution cap.</summary>
    public const string DailyExecutions = "daily_executions";

    /// <summary>Calendar-month execution cap.</summary>
    public const string MonthlyExecutions = "monthly_executions";

    /// <summary>Largest worst case of one request.</summary>
    public const string MaxPerRequest = "max_per_request";

    /// <summary>The name of the limit on <paramref name="metric"/> over <paramref name="period"/>.</summary>
    /// <param name="metric">What the limit measures.</param>
    /// <param name="period">Its window (ignored for <see cref="BudgetMetric.MaxPerRequest"/>).</param>
    /// <returns>The <c>budgets.yaml</c> field name.</returns>
    public static string Of(BudgetMetric metric, BudgetPeriod period) => (metric, period) switch
    {
        (BudgetMetric.MaxPerRequest, _) => MaxPerRequest,
        (BudgetMetric.CostUsd, BudgetPeriod.Day) => DailyCapUsd,
        (BudgetMetric.CostUsd, _) => MonthlyCapUsd,
        (BudgetMetric.Tokens, BudgetPeriod.Day) => DailyTokens,
        (BudgetMetric.Tokens, _) => MonthlyTokens,
        (_, BudgetPeriod.Day) => DailyExecutions,
        _ => MonthlyExecutions,
    };
}
