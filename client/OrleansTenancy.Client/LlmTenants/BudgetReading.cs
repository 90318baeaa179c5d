using System.Globalization;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// What a tenant's <see cref="BudgetStatus"/> says about its tenant-wide limits: whether it is within budget, what is
/// left, and which limit is exhausted. Pure: no calls, so every rule of the instance API is decided here.
/// </summary>
/// <remarks>
/// Budgets are off for a tenant whose enforcement is <see cref="Enforcement.None"/>: it is always within budget, has no
/// remaining figure and passes every check. A limit is exhausted when nothing of it remains (spent plus reserved reach
/// it), so calls in flight count.
/// </remarks>
public static class BudgetReading
{
    /// <summary>Whether no tenant-wide limit of <paramref name="period"/> (cost, tokens or executions) is exhausted.</summary>
    public static bool IsWithin(BudgetStatus status, BudgetPeriod period)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Enforcement == Enforcement.None || !TenantWide(status).Any(l => l.Period == period && Exhausted(l));
    }

    /// <summary>
    /// What is left of the tenant-wide cost limit of <paramref name="period"/> in USD; <see langword="null"/> when no such
    /// limit applies (none is set, or budgets are off).
    /// </summary>
    public static decimal? RemainingCost(BudgetStatus status, BudgetPeriod period)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Enforcement == Enforcement.None
            ? null
            : TenantWide(status).FirstOrDefault(l => l.Metric == BudgetMetric.CostUsd && l.Period == period)?.Remaining;
    }

    /// <summary>
    /// The first exhausted tenant-wide limit under hard enforcement (the only one under which the cluster refuses calls),
    /// or <see langword="null"/>.
    /// </summary>
    public static LimitStatus? Refusing(BudgetStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Enforcement == Enforcement.Hard ? TenantWide(status).FirstOrDefault(Exhausted) : null;
    }

    /// <summary>The exception <c>CheckBudgetAsync</c> throws for <paramref name="limit"/>: it names the limit and its figures.</summary>
    public static BudgetExceededException Exceeded(TenantContext context, LimitStatus limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"Tenant '{context.Tenant}' has reached its {limit.Name} of {limit.Limit} (spent {limit.Spent}, reserved {limit.Reserved}, remaining {limit.Remaining}); it resets at {limit.ResetsAt:u}.");
        var denial = new BudgetDenial
        {
            Metric = limit.Metric,
            Period = limit.Period,
            Limit = limit.Limit,
            Spent = limit.Spent,
            Reserved = limit.Reserved,
            Remaining = limit.Remaining,
            ResetsAt = limit.ResetsAt,
            Message = message,
        };
        return new BudgetExceededException(new ChatRefusal("budget_exceeded", 402, message, denial, null), null, context);
    }

    private static IEnumerable<LimitStatus> TenantWide(BudgetStatus status) =>
        status.Limits.Where(l => l.Workspace is null && l.Period is BudgetPeriod.Day or BudgetPeriod.Month);

    private static bool Exhausted(LimitStatus limit) => limit.Remaining <= 0m;
}
