namespace OrleansTenancy.Tenancy.Budget;

public sealed partial class BudgetAccount
{
    /// <summary>Whether the account holds <paramref name="requestId"/> as an open reservation or a recently finished request.</summary>
    public bool Knows(string requestId) => State.Reservations.ContainsKey(requestId) || _recentById.ContainsKey(requestId);

    /// <summary>
    /// The spent amounts of one counter (tenant-wide when <paramref name="workspace"/> is <see langword="null"/>) for the
    /// period <paramref name="key"/>, or zeros when the counter holds another period.
    /// </summary>
    public SpentFigures GetSpent(string? workspace, BudgetPeriod period, int key)
    {
        var counters = workspace is null ? State.Tenant : State.Workspaces.GetValueOrDefault(workspace);
        var counter = counters is null ? null : period == BudgetPeriod.Day ? counters.Day : counters.Month;
        return counter is null || counter.Key != key
            ? default
            : new SpentFigures(counter.SpentUsd, counter.SpentTokens, counter.SpentExecutions);
    }

    /// <summary>
    /// Adds <paramref name="delta"/> — what the usage ledger holds beyond (or short of) what the counter held when the
    /// ledger was read — to the spent amounts of one counter for the period <paramref name="key"/>. A delta rather than
    /// the ledger's figures, because usage settled while the ledger was being read is in the counter already and must
    /// stay there. Open reservations are kept; a counter already in a newer period is left alone.
    /// </summary>
    /// <returns>Whether anything changed.</returns>
    public bool AdjustSpent(string? workspace, BudgetPeriod period, int key, SpentFigures delta)
    {
        if (period is not (BudgetPeriod.Day or BudgetPeriod.Month))
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Only day and month counters hold spent amounts.");
        }

        if (delta == default)
        {
            return false;
        }

        var counters = workspace is null ? State.Tenant : WorkspaceCounters(workspace);
        var counter = period == BudgetPeriod.Day ? counters.Day : counters.Month;
        if (!RollTo(counter, key))
        {
            return false;
        }

        counter.SpentUsd += delta.CostUsd;
        counter.SpentTokens += delta.Tokens;
        counter.SpentExecutions += delta.Executions;
        return true;
    }
}

/// <summary>Spent amounts of one counter: cost in USD, tokens and executions.</summary>
/// <param name="CostUsd">Spent cost in USD.</param>
/// <param name="Tokens">Spent tokens.</param>
/// <param name="Executions">Settled executions.</param>
public readonly record struct SpentFigures(decimal CostUsd, long Tokens, long Executions)
{
    /// <summary>Adds two amounts.</summary>
    public static SpentFigures operator +(SpentFigures left, SpentFigures right) =>
        new(left.CostUsd + right.CostUsd, left.Tokens + right.Tokens, left.Executions + right.Executions);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    public static SpentFigures operator -(SpentFigures left, SpentFigures right) =>
        new(left.CostUsd - right.CostUsd, left.Tokens - right.Tokens, left.Executions - right.Executions);

    /// <summary>Adds two amounts.</summary>
    public static SpentFigures Add(SpentFigures left, SpentFigures right) => left + right;

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    public static SpentFigures Subtract(SpentFigures left, SpentFigures right) => left - right;
}
