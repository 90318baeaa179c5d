namespace OrleansTenancy.Tenancy.Budget;

/// <summary>Combines budget limits from several levels (runtime override, tenant files, global defaults).</summary>
public static class BudgetLimitsMerge
{
    /// <summary>
    /// Every field of <paramref name="top"/> that is set wins; the rest come from <paramref name="bottom"/>.
    /// A <see langword="null"/> <paramref name="top"/> returns <paramref name="bottom"/> unchanged.
    /// </summary>
    public static BudgetLimits Overlay(BudgetLimits? top, BudgetLimits bottom)
    {
        ArgumentNullException.ThrowIfNull(bottom);
        return top is null
            ? bottom
            : new BudgetLimits
            {
                DailyCapUsd = top.DailyCapUsd ?? bottom.DailyCapUsd,
                MonthlyCapUsd = top.MonthlyCapUsd ?? bottom.MonthlyCapUsd,
                DailyTokens = top.DailyTokens ?? bottom.DailyTokens,
                MonthlyTokens = top.MonthlyTokens ?? bottom.MonthlyTokens,
                DailyExecutions = top.DailyExecutions ?? bottom.DailyExecutions,
                MonthlyExecutions = top.MonthlyExecutions ?? bottom.MonthlyExecutions,
                MaxPerRequest = top.MaxPerRequest ?? bottom.MaxPerRequest,
                Enforcement = top.Enforcement ?? bottom.Enforcement,
                AlertThresholds = top.AlertThresholds ?? bottom.AlertThresholds,
                InheritGlobal = top.InheritGlobal ?? bottom.InheritGlobal,
            };
    }

    /// <summary>Whether a level sets any limit of its own (a workspace with none is governed by the tenant's limits alone).</summary>
    public static bool SetsAnyLimit(BudgetLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return limits.DailyCapUsd is not null || limits.MonthlyCapUsd is not null
            || limits.DailyTokens is not null || limits.MonthlyTokens is not null
            || limits.DailyExecutions is not null || limits.MonthlyExecutions is not null
            || limits.MaxPerRequest is not null;
    }
}

/// <summary>Checks budget limits that arrive outside the YAML files (the admin API), with the YAML field names.</summary>
public static class BudgetLimitsValidation
{
    /// <summary>Every problem with <paramref name="limits"/>, each naming the field; empty when valid.</summary>
    public static IReadOnlyList<string> Problems(BudgetLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var problems = new List<string>();
        NonNegative(limits.DailyCapUsd, "daily_cap_usd");
        NonNegative(limits.MonthlyCapUsd, "monthly_cap_usd");
        NonNegative(limits.DailyTokens, "daily_tokens");
        NonNegative(limits.MonthlyTokens, "monthly_tokens");
        NonNegative(limits.DailyExecutions, "daily_executions");
        NonNegative(limits.MonthlyExecutions, "monthly_executions");
        NonNegative(limits.MaxPerRequest, "max_per_request");
        AtLeastSmallest(limits.DailyCapUsd, "daily_cap_usd");
        AtLeastSmallest(limits.MonthlyCapUsd, "monthly_cap_usd");
        AtLeastSmallest(limits.MaxPerRequest, "max_per_request");
        Ordered(limits.DailyCapUsd, limits.MonthlyCapUsd, "monthly_cap_usd", "daily_cap_usd");
        Ordered(limits.DailyTokens, limits.MonthlyTokens, "monthly_tokens", "daily_tokens");
        Ordered(limits.DailyExecutions, limits.MonthlyExecutions, "monthly_executions", "daily_executions");
        if (limits.Enforcement is { } enforcement && !Enum.IsDefined(enforcement))
        {
            problems.Add($"enforcement must be none, soft or hard, not {(int)enforcement}.");
        }

        foreach (var threshold in limits.AlertThresholds ?? [])
        {
            if (threshold is <= 0 or > 1000)
            {
                problems.Add($"alert_thresholds must be percentages above 0 (up to 1000), not {threshold}.");
            }
        }

        return problems;

        void NonNegative(decimal? value, string field)
        {
            if (value < 0)
            {
                problems.Add($"{field} must not be negative, but it is {value}.");
            }
        }

        void AtLeastSmallest(decimal? value, string field)
        {
            if (UsdMinimumProblem(field, value) is { } problem)
            {
                problems.Add(problem);
            }
        }

        void Ordered(decimal? daily, decimal? monthly, string monthlyField, string dailyField)
        {
            if (daily is { } d && monthly is { } m && m < d)
            {
                problems.Add($"{monthlyField} ({m}) must not be below {dailyField} ({d}).");
            }
        }
    }

    /// <summary>
    /// The smallest positive USD limit: the usage ledger's precision (0.000000001 USD). A positive limit below it could
    /// never be told apart from zero in the ledger, and would make every percentage of it meaningless; 0 allows nothing.
    /// </summary>
    public const decimal SmallestUsd = 0.000000001m;

    /// <summary>A sentence naming <paramref name="field"/> when <paramref name="value"/> is positive but below <see cref="SmallestUsd"/>; otherwise <see langword="null"/>.</summary>
    public static string? UsdMinimumProblem(string field, decimal? value) =>
        value is > 0m and < SmallestUsd
            ? $"{field} ({value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}) is below 0.000000001, the smallest USD amount the ledger keeps; use 0 to allow nothing."
            : null;

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when <paramref name="limits"/> is invalid.</summary>
    public static void ThrowIfInvalid(BudgetLimits limits, string what)
    {
        var problems = Problems(limits);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid {what}: {string.Join(" ", problems)}", nameof(limits));
        }
    }
}
