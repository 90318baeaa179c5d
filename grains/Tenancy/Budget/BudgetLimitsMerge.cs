namespace OrleansTenancy.Tenancy.Budget;

/// <summary>
/// Combines budget limits from several levels — workspace, tenant (the runtime override over the tenant's files) and
/// global defaults — the one way every path does it.
/// </summary>
public static class BudgetLimitsMerge
{
    /// <summary>
    /// The effective limits of a tenant (<paramref name="workspace"/> <see langword="null"/>) or of one of its workspaces:
    /// each field is the workspace's, else the tenant's, else — when <c>inherit_global</c> (the workspace's, else the
    /// tenant's, else <see langword="true"/>) — the global default, else unset (unlimited). Enforcement and alert
    /// thresholds follow the same chain and end at <see cref="BudgetRules.DefaultEnforcement"/> and
    /// <see cref="BudgetRules.DefaultAlertThresholds"/>.
    /// </summary>
    /// <param name="workspace">The workspace's own limits, or <see langword="null"/> for the tenant's effective limits.</param>
    /// <param name="tenant">The tenant's limits: the runtime override laid over its files (<see cref="Overlay"/>).</param>
    /// <param name="global">The global defaults.</param>
    /// <returns>The merged limits, with enforcement, thresholds and <c>inherit_global</c> always set.</returns>
    public static BudgetLimits Effective(BudgetLimits? workspace, BudgetLimits tenant, BudgetLimits global)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(global);
        var inherit = workspace?.InheritGlobal ?? tenant.InheritGlobal ?? true;
        var merged = Overlay(workspace, Overlay(tenant, inherit ? global : new BudgetLimits()));
        return merged with
        {
            Enforcement = merged.Enforcement ?? BudgetRules.DefaultEnforcement,
            AlertThresholds = merged.AlertThresholds ?? BudgetRules.DefaultAlertThresholds,
            InheritGlobal = inherit,
        };
    }

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

/// <summary>The checks on one level of budget limits, for the YAML loader and the admin API alike.</summary>
public static class BudgetLimitsValidation
{
    private static readonly BudgetMetric[] PeriodMetrics = [BudgetMetric.CostUsd, BudgetMetric.Tokens, BudgetMetric.Executions];

    /// <summary>
    /// The metrics whose monthly limit is below the daily one in <paramref name="limits"/>: a month holds every day, so
    /// the monthly limit would bind first. One level setting both is invalid; a merge that produces it is worth a warning.
    /// </summary>
    /// <param name="limits">The limits to check.</param>
    /// <returns>Each offending metric with its two field names and values.</returns>
    public static IEnumerable<MonthlyBelowDaily> MonthlyBelowDaily(BudgetLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        foreach (var metric in PeriodMetrics)
        {
            if (BudgetAccount.LimitOf(limits, metric, BudgetPeriod.Month) is { } monthly
                && BudgetAccount.LimitOf(limits, metric, BudgetPeriod.Day) is { } daily && monthly < daily)
            {
                yield return new MonthlyBelowDaily(metric, BudgetLimitNames.Of(metric, BudgetPeriod.Month), monthly, BudgetLimitNames.Of(metric, BudgetPeriod.Day), daily);
            }
        }
    }

    /// <summary>Every problem with <paramref name="limits"/> (one level, as the admin API receives it), each naming the field; empty when valid.</summary>
    public static IReadOnlyList<string> Problems(BudgetLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var problems = new List<string>();
        foreach (var metric in PeriodMetrics)
        {
            foreach (var period in (BudgetPeriod[])[BudgetPeriod.Day, BudgetPeriod.Month])
            {
                NonNegative(BudgetAccount.LimitOf(limits, metric, period), BudgetLimitNames.Of(metric, period));
            }
        }

        NonNegative(limits.MaxPerRequest, BudgetLimitNames.MaxPerRequest);
        AtLeastSmallest(limits.DailyCapUsd, BudgetLimitNames.DailyCapUsd);
        AtLeastSmallest(limits.MonthlyCapUsd, BudgetLimitNames.MonthlyCapUsd);
        AtLeastSmallest(limits.MaxPerRequest, BudgetLimitNames.MaxPerRequest);
        foreach (var pair in MonthlyBelowDaily(limits))
        {
            problems.Add(pair.Describe() + ".");
        }

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

/// <summary>A metric whose monthly limit is below its daily limit.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="MonthlyField">The monthly limit's field name.</param>
/// <param name="Monthly">The monthly limit.</param>
/// <param name="DailyField">The daily limit's field name.</param>
/// <param name="Daily">The daily limit.</param>
public readonly record struct MonthlyBelowDaily(BudgetMetric Metric, string MonthlyField, decimal Monthly, string DailyField, decimal Daily)
{
    /// <summary>A sentence naming both limits and their values.</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{MonthlyField} ({Monthly}) must not be below {DailyField} ({Daily})");
}
