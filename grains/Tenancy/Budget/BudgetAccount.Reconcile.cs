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
    /// Replaces the spent amounts of one counter for the period <paramref name="key"/> with figures recomputed from the
    /// usage ledger; open reservations are kept. A counter already in a newer period is left alone.
    /// </summary>
    /// <returns>Whether anything changed.</returns>
    public bool ReplaceSpent(string? workspace, BudgetPeriod period, int key, SpentFigures figures)
    {
        if (period is not (BudgetPeriod.Day or BudgetPeriod.Month))
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Only day and month counters hold spent amounts.");
        }

        var counters = workspace is null ? State.Tenant : WorkspaceCounters(workspace);
        var counter = period == BudgetPeriod.Day ? counters.Day : counters.Month;
        if (!RollTo(counter, key))
        {
            return false;
        }

        var changed = counter.SpentUsd != figures.CostUsd || counter.SpentTokens != figures.Tokens || counter.SpentExecutions != figures.Executions;
        counter.SpentUsd = figures.CostUsd;
        counter.SpentTokens = figures.Tokens;
        counter.SpentExecutions = figures.Executions;
        return changed;
    }
}

/// <summary>Spent amounts of one counter: cost in USD, tokens and executions.</summary>
/// <param name="CostUsd">Spent cost in USD.</param>
/// <param name="Tokens">Spent tokens.</param>
/// <param name="Executions">Settled executions.</param>
public readonly record struct SpentFigures(decimal CostUsd, long Tokens, long Executions);
