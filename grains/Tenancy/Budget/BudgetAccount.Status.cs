namespace OrleansTenancy.Tenancy.Budget;

public sealed partial class BudgetAccount
{
    /// <summary>
    /// Every configured period limit of the tenant and of the workspaces in <paramref name="rules"/>, with spent,
    /// reserved, remaining, percent used, reset time and an end-of-period forecast.
    /// </summary>
    /// <remarks>
    /// The forecast projects settled spend linearly: <c>spent / elapsed × period length</c>. Elapsed time is floored at
    /// 1/24 of the period (an hour of a day) so the first minutes after a reset do not explode the projection.
    /// </remarks>
    /// <param name="rules">The tenant's effective limits and time zone.</param>
    /// <param name="now">The current instant.</param>
    /// <returns>The status.</returns>
    public BudgetStatus GetStatus(BudgetRules rules, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var day = BudgetCalendar.Day(now, rules.TimeZone);
        var month = BudgetCalendar.Month(now, rules.TimeZone);
        var dayKey = Math.Max(day.Key, State.Tenant.Day.Key);
        var monthKey = Math.Max(month.Key, State.Tenant.Month.Key);
        var limits = new List<LimitStatus>();
        AddStatus(limits, null, rules.Tenant, State.Tenant, day, month, dayKey, monthKey, now);
        if (rules.Workspaces is not null)
        {
            foreach (var (workspace, workspaceLimits) in rules.Workspaces.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                var counters = State.Workspaces.TryGetValue(workspace, out var found) ? found : new UsageCounters();
                AddStatus(limits, workspace, workspaceLimits, counters, day, month, dayKey, monthKey, now);
            }
        }

        return new BudgetStatus
        {
            AsOf = now,
            TimeZoneId = rules.TimeZone.Id,
            Enforcement = rules.Enforcement,
            MaxPerRequestUsd = rules.Tenant.MaxPerRequest,
            OpenReservations = State.Reservations.Count - _covers,
            HeldCovers = _covers,
            Limits = limits,
        };
    }

    /// <summary>Settled spend projected linearly to the end of <paramref name="window"/>.</summary>
    /// <param name="spent">Settled usage so far in the period.</param>
    /// <param name="window">The period.</param>
    /// <param name="now">The current instant.</param>
    /// <returns>The projection; equals <paramref name="spent"/> at or after the period end.</returns>
    public static decimal Forecast(decimal spent, PeriodWindow window, DateTimeOffset now)
    {
        var length = window.Length;
        var elapsed = now - window.Start;
        if (elapsed >= length)
        {
            return spent;
        }

        var floor = length / 24;
        if (elapsed < floor)
        {
            elapsed = floor;
        }

        // The ratio first (at most 24, by the floor above), so a large spend cannot overflow the product.
        return BudgetFigures.Scale(spent, (decimal)length.Ticks / elapsed.Ticks);
    }

    private static void AddStatus(
        List<LimitStatus> into, string? workspace, BudgetLimits limits, UsageCounters counters,
        PeriodWindow day, PeriodWindow month, int dayKey, int monthKey, DateTimeOffset now)
    {
        foreach (var (metric, period) in _periodLimits)
        {
            if (LimitOf(limits, metric, period) is not { } limit)
            {
                continue;
            }

            var isDay = period == BudgetPeriod.Day;
            var window = isDay ? day : month;
            var (spent, reserved) = Read(isDay ? counters.Day : counters.Month, isDay ? dayKey : monthKey, metric);
            into.Add(new LimitStatus
            {
                Workspace = workspace,
                Metric = metric,
                Period = period,
                Limit = limit,
                Spent = spent,
                Reserved = reserved,
                Remaining = Math.Max(0m, limit - spent - reserved),
                PercentUsed = BudgetFigures.RoundPercent(BudgetFigures.PercentOf(spent + reserved, limit)),
                PeriodStart = window.Start,
                ResetsAt = window.End,
                ForecastAtPeriodEnd = BudgetFigures.RoundForecast(Forecast(spent, window, now), metric),
            });
        }
    }
}
