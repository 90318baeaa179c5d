using System.Globalization;

namespace OrleansTenancy.Tenancy.Budget;

public sealed partial class BudgetAccount
{
    /// <summary>The six period limits in the order they are checked and reported.</summary>
    private static readonly (BudgetMetric Metric, BudgetPeriod Period)[] _periodLimits =
    [
        (BudgetMetric.CostUsd, BudgetPeriod.Day),
        (BudgetMetric.CostUsd, BudgetPeriod.Month),
        (BudgetMetric.Tokens, BudgetPeriod.Day),
        (BudgetMetric.Tokens, BudgetPeriod.Month),
        (BudgetMetric.Executions, BudgetPeriod.Day),
        (BudgetMetric.Executions, BudgetPeriod.Month),
    ];

    /// <summary>The configured value of one limit, or <see langword="null"/> when unlimited.</summary>
    /// <param name="limits">The limits.</param>
    /// <param name="metric">What it measures.</param>
    /// <param name="period">Its window.</param>
    /// <returns>The limit.</returns>
    public static decimal? LimitOf(BudgetLimits limits, BudgetMetric metric, BudgetPeriod period)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return (metric, period) switch
        {
            (BudgetMetric.CostUsd, BudgetPeriod.Day) => limits.DailyCapUsd,
            (BudgetMetric.CostUsd, BudgetPeriod.Month) => limits.MonthlyCapUsd,
            (BudgetMetric.Tokens, BudgetPeriod.Day) => limits.DailyTokens,
            (BudgetMetric.Tokens, BudgetPeriod.Month) => limits.MonthlyTokens,
            (BudgetMetric.Executions, BudgetPeriod.Day) => limits.DailyExecutions,
            (BudgetMetric.Executions, BudgetPeriod.Month) => limits.MonthlyExecutions,
            (BudgetMetric.MaxPerRequest, _) => limits.MaxPerRequest,
            _ => null,
        };
    }

    private static (decimal Spent, decimal Reserved) Read(PeriodUsage counter, int currentKey, BudgetMetric metric)
    {
        if (counter.Key != currentKey)
        {
            return (0m, 0m); // lazy rollover: an older counter is a closed period
        }

        return metric switch
        {
            BudgetMetric.CostUsd => (counter.SpentUsd, counter.ReservedUsd),
            BudgetMetric.Tokens => (counter.SpentTokens, counter.ReservedTokens),
            _ => (counter.SpentExecutions, counter.ReservedExecutions),
        };
    }

    private static decimal Demand(in Usage usage, BudgetMetric metric) => metric switch
    {
        BudgetMetric.CostUsd or BudgetMetric.MaxPerRequest => usage.CostUsd,
        BudgetMetric.Tokens => usage.Tokens,
        _ => usage.Executions,
    };

    /// <summary>
    /// The first limit <paramref name="demand"/> would exceed. Under hard enforcement it is returned (a denial);
    /// under soft enforcement every overrun is appended to <paramref name="overruns"/> and <see langword="null"/> returned.
    /// </summary>
    private static BudgetDenial? FirstOverrun(
        string? workspace, BudgetLimits limits, UsageCounters counters, in Usage demand, int dayKey, int monthKey,
        TimeZoneInfo timeZone, DateTimeOffset now, Enforcement enforcement, ref List<BudgetDenial>? overruns)
    {
        if (limits.MaxPerRequest is { } perRequest && demand.CostUsd > perRequest)
        {
            var denial = BuildDenial(workspace, BudgetMetric.MaxPerRequest, BudgetPeriod.Request, perRequest, 0, 0, demand.CostUsd, null, timeZone);
            if (enforcement == Enforcement.Hard)
            {
                return denial;
            }

            (overruns ??= []).Add(denial);
        }

        foreach (var (metric, period) in _periodLimits)
        {
            if (LimitOf(limits, metric, period) is not { } limit)
            {
                continue;
            }

            var counter = period == BudgetPeriod.Day ? counters.Day : counters.Month;
            var (spent, reserved) = Read(counter, period == BudgetPeriod.Day ? dayKey : monthKey, metric);
            var requested = Demand(demand, metric);
            if (spent + reserved + requested <= limit)
            {
                continue;
            }

            var resetsAt = BudgetCalendar.Window(period, now, timeZone).End;
            var denial = BuildDenial(workspace, metric, period, limit, spent, reserved, requested, resetsAt, timeZone);
            if (enforcement == Enforcement.Hard)
            {
                return denial;
            }

            (overruns ??= []).Add(denial);
        }

        return null;
    }

    private static BudgetDenial BuildDenial(
        string? workspace, BudgetMetric metric, BudgetPeriod period, decimal limit, decimal spent, decimal reserved,
        decimal requested, DateTimeOffset? resetsAt, TimeZoneInfo timeZone)
    {
        var remaining = Math.Max(0m, limit - spent - reserved);
        var scope = workspace is null ? "Tenant" : $"Workspace '{workspace}'";
        string message;
        if (metric == BudgetMetric.MaxPerRequest)
        {
            message = string.Create(CultureInfo.InvariantCulture,
                $"{scope} {BudgetLimitNames.MaxPerRequest} is ${limit}; this request's worst case is ${requested}. Lower max_tokens, shorten the prompt or pick a cheaper model.");
        }
        else
        {
            var local = TimeZoneInfo.ConvertTime(resetsAt!.Value, timeZone);
            message = string.Create(CultureInfo.InvariantCulture,
                $"{scope} {BudgetLimitNames.Of(metric, period)} {Format(metric, limit)} has {Format(metric, remaining)} left (spent {Format(metric, spent)}, reserved {Format(metric, reserved)}); "
                + $"this request needs up to {Format(metric, requested)}. It resets at {local:yyyy-MM-dd HH:mm zzz} ({timeZone.Id}).");
        }

        return new BudgetDenial
        {
            Workspace = workspace,
            Metric = metric,
            Period = period,
            Limit = limit,
            Spent = spent,
            Reserved = reserved,
            Requested = requested,
            Remaining = remaining,
            ResetsAt = resetsAt,
            Message = message,
        };
    }

    private static string Format(BudgetMetric metric, decimal amount) =>
        metric == BudgetMetric.CostUsd
            ? string.Create(CultureInfo.InvariantCulture, $"${amount}")
            : amount.ToString("0", CultureInfo.InvariantCulture);

    private List<BudgetAlert>? CollectAlerts(BudgetRules rules, string? workspace, UsageCounters? workspaceCounters, int dayKey, int monthKey)
    {
        List<BudgetAlert>? alerts = null;
        CollectAlerts(null, rules.Tenant, rules.AlertThresholdsOf(null), State.Tenant, dayKey, monthKey, ref alerts);
        if (workspace is not null && workspaceCounters is not null && rules.ForWorkspace(workspace) is { } workspaceLimits)
        {
            CollectAlerts(workspace, workspaceLimits, rules.AlertThresholdsOf(workspace), workspaceCounters, dayKey, monthKey, ref alerts);
        }

        return alerts;
    }

    /// <summary>
    /// Fires every threshold between the highest one already alerted in the period and the current usage
    /// (spent + reserved, the same measure hard enforcement checks), then raises the watermark: each threshold fires
    /// at most once per limit and period, even if usage later falls (a release) and climbs again.
    /// </summary>
    private static void CollectAlerts(
        string? workspace, BudgetLimits limits, IReadOnlyList<decimal>? thresholds, UsageCounters counters, int dayKey, int monthKey,
        ref List<BudgetAlert>? alerts)
    {
        if (thresholds is null || thresholds.Count == 0)
        {
            return;
        }

        foreach (var (metric, period) in _periodLimits)
        {
            if (LimitOf(limits, metric, period) is not { } limit)
            {
                continue;
            }

            var counter = period == BudgetPeriod.Day ? counters.Day : counters.Month;
            var key = period == BudgetPeriod.Day ? dayKey : monthKey;
            if (counter.Key != key)
            {
                continue;
            }

            var (spent, reserved) = Read(counter, key, metric);
            var percent = BudgetFigures.PercentOf(spent + reserved, limit);
            var alerted = metric switch
            {
                BudgetMetric.CostUsd => counter.CostAlertedPercent,
                BudgetMetric.Tokens => counter.TokensAlertedPercent,
                _ => counter.ExecutionsAlertedPercent,
            };
            var highest = alerted;
            foreach (var threshold in thresholds)
            {
                if (threshold > alerted && threshold <= percent)
                {
                    (alerts ??= []).Add(new BudgetAlert
                    {
                        Workspace = workspace,
                        Metric = metric,
                        Period = period,
                        PeriodKey = key,
                        ThresholdPercent = threshold,
                        PercentUsed = percent,
                        Limit = limit,
                    });
                    highest = Math.Max(highest, threshold);
                }
            }

            switch (metric)
            {
                case BudgetMetric.CostUsd: counter.CostAlertedPercent = highest; break;
                case BudgetMetric.Tokens: counter.TokensAlertedPercent = highest; break;
                default: counter.ExecutionsAlertedPercent = highest; break;
            }
        }
    }
}
