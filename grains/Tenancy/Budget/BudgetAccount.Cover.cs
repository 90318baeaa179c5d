using System.Diagnostics.CodeAnalysis;

namespace OrleansTenancy.Tenancy.Budget;

public sealed partial class BudgetAccount
{
    /// <summary>
    /// Holds <paramref name="amount"/> in <paramref name="workspace"/> (and tenant-wide) as a cover
    /// (<see cref="Reservation.Cover"/>), if every hard limit of the current periods still holds with it; does nothing
    /// and returns <see langword="null"/> otherwise, or when <paramref name="id"/> is taken.
    /// </summary>
    /// <param name="id">The cover's id, unique among open reservations.</param>
    /// <param name="workspace">The workspace whose grants it covers.</param>
    /// <param name="amount">What it holds.</param>
    /// <param name="rules">The tenant's effective limits and time zone.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="beyondTtl">How much longer than a reservation made now it holds, if it is ever loaded from storage.</param>
    /// <returns>The cover, now counted as reserved; remove it with <see cref="RemoveCover"/>.</returns>
    public Reservation? TryPlaceCover(string id, string workspace, CoverAmount amount, BudgetRules rules, DateTimeOffset now, TimeSpan beyondTtl)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(workspace);
        ArgumentNullException.ThrowIfNull(rules);
        if (amount.Executions < 1 || State.Reservations.ContainsKey(id))
        {
            return null;
        }

        var (dayKey, monthKey) = CurrentKeys(rules.TimeZone, now);
        var demand = new Usage(amount.CostUsd, amount.Tokens, amount.Executions);
        if (rules.Enforcement == Enforcement.Hard && !WithinPeriodLimits(rules.Tenant, State.Tenant, demand, dayKey, monthKey))
        {
            return null;
        }

        var workspaceCounters = WorkspaceCounters(workspace);
        if (rules.ForWorkspace(workspace) is { } workspaceLimits && rules.EnforcementOf(workspaceLimits) == Enforcement.Hard
            && !WithinPeriodLimits(workspaceLimits, workspaceCounters, demand, dayKey, monthKey))
        {
            return null;
        }

        var cover = new Reservation
        {
            RequestId = id,
            Workspace = workspace,
            Model = "cover",
            EstimatedCostUsd = amount.CostUsd,
            EstimatedTokens = amount.Tokens,
            Executions = amount.Executions,
            CreatedAt = now,
            ExpiresAt = now + rules.ReservationTtlOf(workspace) + beyondTtl,
            DayKey = dayKey,
            MonthKey = monthKey,
            Cover = true,
        };
        State.Reservations.Add(id, cover);
        _covers++;
        AddReserved(State.Tenant, cover, sign: 1);
        AddReserved(workspaceCounters, cover, sign: 1);
        return cover;
    }

    /// <summary>Removes a cover placed by <see cref="TryPlaceCover"/>, returning exactly what it held.</summary>
    /// <param name="cover">The cover.</param>
    public void RemoveCover(Reservation cover)
    {
        ArgumentNullException.ThrowIfNull(cover);
        if (cover.Cover && State.Reservations.Remove(cover.RequestId))
        {
            Unreserve(cover);
            _covers--;
        }
    }

    /// <summary>The current day and month keys in the tenant's zone (never older than the counters').</summary>
    /// <param name="rules">The tenant's rules (for the time zone).</param>
    /// <param name="now">The current instant.</param>
    /// <returns>The keys a reservation made now records.</returns>
    public (int DayKey, int MonthKey) PeriodKeys(BudgetRules rules, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return CurrentKeys(rules.TimeZone, now);
    }

    /// <summary>Removes the open reservation of a call (never a cover) for a settle or release.</summary>
    private bool TakeOpen(string requestId, [NotNullWhen(true)] out Reservation? reservation)
    {
        if (State.Reservations.TryGetValue(requestId, out reservation) && !reservation.Cover)
        {
            State.Reservations.Remove(requestId);
            return true;
        }

        reservation = null;
        return false;
    }

    private static bool WithinPeriodLimits(BudgetLimits limits, UsageCounters counters, in Usage demand, int dayKey, int monthKey)
    {
        foreach (var (metric, period) in _periodLimits)
        {
            if (LimitOf(limits, metric, period) is not { } limit)
            {
                continue;
            }

            var (spent, reserved) = Read(period == BudgetPeriod.Day ? counters.Day : counters.Month, period == BudgetPeriod.Day ? dayKey : monthKey, metric);
            if (spent + reserved + Demand(demand, metric) > limit)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>An amount of budget in all three metrics, held by a cover.</summary>
/// <param name="CostUsd">USD.</param>
/// <param name="Tokens">Tokens.</param>
/// <param name="Executions">Calls.</param>
public readonly record struct CoverAmount(decimal CostUsd, long Tokens, long Executions)
{
    /// <summary>What one reservation holds.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <returns>Its amount.</returns>
    public static CoverAmount Of(Reservation reservation)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return new(reservation.EstimatedCostUsd, reservation.EstimatedTokens, reservation.Executions);
    }

    /// <summary>Whether <paramref name="other"/> fits in this amount in every metric.</summary>
    /// <param name="other">The amount to fit.</param>
    /// <returns><see langword="true"/> when it fits.</returns>
    public bool Holds(CoverAmount other) => other.CostUsd <= CostUsd && other.Tokens <= Tokens && other.Executions <= Executions;

    /// <summary>Adds two amounts.</summary>
    /// <param name="left">An amount.</param>
    /// <param name="right">Another.</param>
    /// <returns>The sum.</returns>
    public static CoverAmount operator +(CoverAmount left, CoverAmount right) =>
        new(left.CostUsd + right.CostUsd, left.Tokens + right.Tokens, left.Executions + right.Executions);

    /// <summary>Subtracts two amounts.</summary>
    /// <param name="left">An amount.</param>
    /// <param name="right">What to take from it.</param>
    /// <returns>The difference.</returns>
    public static CoverAmount operator -(CoverAmount left, CoverAmount right) =>
        new(left.CostUsd - right.CostUsd, left.Tokens - right.Tokens, left.Executions - right.Executions);

    /// <summary>This amount scaled by <paramref name="numerator"/>/<paramref name="denominator"/> (executions rounded down).</summary>
    /// <param name="numerator">Multiplier.</param>
    /// <param name="denominator">Divisor.</param>
    /// <returns>The scaled amount.</returns>
    public CoverAmount Scale(int numerator, int denominator) =>
        new(CostUsd * numerator / denominator, Tokens * numerator / denominator, Executions * numerator / denominator);
}
