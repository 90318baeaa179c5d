using Domain = OrleansTenancy.Tenancy;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Mapping;

/// <summary>
/// The one place where the budget records of the domain (<c>OrleansTenancy.Tenancy</c>) and of the grain contract
/// (<c>OrleansTenancy.GrainInterfaces</c>) meet. The domain knows nothing of Orleans and the contract nothing of the
/// domain, so every grain call maps its arguments in and its answer out here.
/// </summary>
/// <remarks>
/// The enums of both sides carry the same names and numbers (a test checks every value), so they map by value.
/// Collections are copied into arrays, a shape the Orleans serializer knows.
/// </remarks>
public static class BudgetMapping
{
    /// <summary>A reservation request as the domain decides it.</summary>
    public static Domain.ReservationRequest ToDomain(this Wire.ReservationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new()
        {
            RequestId = request.RequestId,
            Workspace = request.Workspace,
            Model = request.Model,
            EstimatedCostUsd = request.EstimatedCostUsd,
            EstimatedTokens = request.EstimatedTokens,
            FreshRequestId = request.FreshRequestId,
            CallToken = request.CallToken,
            Fallback = request.Fallback,
            Downshift = request.Downshift is not { Count: > 0 } downshift
                ? null
                : [.. downshift.Select(d => new Domain.ReservationAlternative { Model = d.Model, EstimatedCostUsd = d.EstimatedCostUsd, EstimatedTokens = d.EstimatedTokens })],
        };
    }

    /// <summary>A settlement as the domain applies it.</summary>
    public static Domain.SettleRequest ToDomain(this Wire.SettleRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new()
        {
            RequestId = request.RequestId,
            Workspace = request.Workspace,
            ActualCostUsd = request.ActualCostUsd,
            PromptTokens = request.PromptTokens,
            CompletionTokens = request.CompletionTokens,
        };
    }

    /// <summary>Configured limits as the domain merges them.</summary>
    public static Domain.BudgetLimits ToDomain(this Wire.BudgetLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new()
        {
            DailyCapUsd = limits.DailyCapUsd,
            MonthlyCapUsd = limits.MonthlyCapUsd,
            DailyTokens = limits.DailyTokens,
            MonthlyTokens = limits.MonthlyTokens,
            DailyExecutions = limits.DailyExecutions,
            MonthlyExecutions = limits.MonthlyExecutions,
            MaxPerRequest = limits.MaxPerRequest,
            Enforcement = (Domain.Enforcement?)limits.Enforcement,
            AlertThresholds = limits.AlertThresholds?.ToArray(),
            InheritGlobal = limits.InheritGlobal,
        };
    }

    /// <summary>Configured limits as they cross grains.</summary>
    public static Wire.BudgetLimits ToWire(this Domain.BudgetLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new()
        {
            DailyCapUsd = limits.DailyCapUsd,
            MonthlyCapUsd = limits.MonthlyCapUsd,
            DailyTokens = limits.DailyTokens,
            MonthlyTokens = limits.MonthlyTokens,
            DailyExecutions = limits.DailyExecutions,
            MonthlyExecutions = limits.MonthlyExecutions,
            MaxPerRequest = limits.MaxPerRequest,
            Enforcement = (Wire.Enforcement?)limits.Enforcement,
            AlertThresholds = limits.AlertThresholds?.ToArray(),
            InheritGlobal = limits.InheritGlobal,
        };
    }

    /// <summary>A reservation decision as it crosses grains.</summary>
    public static Wire.ReservationDecision ToWire(this Domain.ReservationDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new()
        {
            Outcome = (Wire.ReservationOutcome)decision.Outcome,
            Reservation = decision.Reservation?.ToWire(),
            Denial = decision.Denial?.ToWire(),
            Alerts = ToWire(decision.Alerts),
            SoftOverruns = ToWire(decision.SoftOverruns),
            RetryAfter = decision.RetryAfter,
        };
    }

    /// <summary>A settlement's outcome as it crosses grains.</summary>
    public static Wire.SettleOutcome ToWire(this Domain.SettleOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new()
        {
            Result = (Wire.SettleResult)outcome.Result,
            Reservation = outcome.Reservation?.ToWire(),
            Alerts = ToWire(outcome.Alerts),
        };
    }

    /// <summary>The <c>budgets.yaml</c> name of the limit that refused (<see cref="Domain.Budget.BudgetLimitNames"/>).</summary>
    public static string LimitName(this Wire.BudgetDenial denial)
    {
        ArgumentNullException.ThrowIfNull(denial);
        return Domain.Budget.BudgetLimitNames.Of((Domain.BudgetMetric)denial.Metric, (Domain.BudgetPeriod)denial.Period);
    }

    /// <summary>A release's outcome as it crosses grains.</summary>
    public static Wire.ReleaseResult ToWire(this Domain.ReleaseResult result) => (Wire.ReleaseResult)result;

    /// <summary>A budget status as it crosses grains.</summary>
    public static Wire.BudgetStatus ToWire(this Domain.BudgetStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new()
        {
            AsOf = status.AsOf,
            TimeZoneId = status.TimeZoneId,
            Enforcement = (Wire.Enforcement)status.Enforcement,
            MaxPerRequestUsd = status.MaxPerRequestUsd,
            OpenReservations = status.OpenReservations,
            HeldCovers = status.HeldCovers,
            Limits = [.. status.Limits.Select(ToWire)],
        };
    }

    /// <summary>A budget denial as it crosses grains.</summary>
    public static Wire.BudgetDenial ToWire(this Domain.BudgetDenial denial)
    {
        ArgumentNullException.ThrowIfNull(denial);
        return new()
        {
            Workspace = denial.Workspace,
            Metric = (Wire.BudgetMetric)denial.Metric,
            Period = (Wire.BudgetPeriod)denial.Period,
            Limit = denial.Limit,
            Spent = denial.Spent,
            Reserved = denial.Reserved,
            Requested = denial.Requested,
            Remaining = denial.Remaining,
            ResetsAt = denial.ResetsAt,
            Message = denial.Message,
        };
    }

    // The cover flag, the executions a cover holds and the call token stay with the tenant grain: a caller knows its own
    // call token, and another caller must not learn it.
    private static Wire.Reservation ToWire(this Domain.Reservation reservation) => new()
    {
        RequestId = reservation.RequestId,
        Workspace = reservation.Workspace,
        Model = reservation.Model,
        EstimatedCostUsd = reservation.EstimatedCostUsd,
        EstimatedTokens = reservation.EstimatedTokens,
        CreatedAt = reservation.CreatedAt,
        ExpiresAt = reservation.ExpiresAt,
        DayKey = reservation.DayKey,
        MonthKey = reservation.MonthKey,
    };

    private static Wire.LimitStatus ToWire(Domain.LimitStatus limit) => new()
    {
        Workspace = limit.Workspace,
        Metric = (Wire.BudgetMetric)limit.Metric,
        Period = (Wire.BudgetPeriod)limit.Period,
        Limit = limit.Limit,
        Spent = limit.Spent,
        Reserved = limit.Reserved,
        Remaining = limit.Remaining,
        PercentUsed = limit.PercentUsed,
        PeriodStart = limit.PeriodStart,
        ResetsAt = limit.ResetsAt,
        ForecastAtPeriodEnd = limit.ForecastAtPeriodEnd,
        Name = Domain.Budget.BudgetLimitNames.Of(limit.Metric, limit.Period),
    };

    private static Wire.BudgetAlert[] ToWire(IReadOnlyList<Domain.BudgetAlert> alerts) =>
        alerts.Count == 0 ? [] : [.. alerts.Select(a => new Wire.BudgetAlert
        {
            Workspace = a.Workspace,
            Metric = (Wire.BudgetMetric)a.Metric,
            Period = (Wire.BudgetPeriod)a.Period,
            PeriodKey = a.PeriodKey,
            ThresholdPercent = a.ThresholdPercent,
            PercentUsed = a.PercentUsed,
            Limit = a.Limit,
        })];

    private static Wire.BudgetDenial[] ToWire(IReadOnlyList<Domain.BudgetDenial> denials) =>
        denials.Count == 0 ? [] : [.. denials.Select(d => d.ToWire())];
}
