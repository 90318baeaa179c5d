namespace OrleansTenancy.Silo.Dashboard;

/// <summary>How close a limit is to its cap; the page colours a bar by it and says it in words.</summary>
public enum BudgetLevel
{
    /// <summary>Below <see cref="BudgetLevels.NearPercent"/>.</summary>
    Ok,

    /// <summary>At or above <see cref="BudgetLevels.NearPercent"/>, below <see cref="BudgetLevels.ReachedPercent"/>.</summary>
    Near,

    /// <summary>At or above <see cref="BudgetLevels.ReachedPercent"/> (above it only under soft enforcement).</summary>
    Reached,
}

/// <summary>The one rule that turns a share of a limit into a <see cref="BudgetLevel"/>.</summary>
public static class BudgetLevels
{
    /// <summary>Share of a limit (spent + reserved, percent) from which it is near its cap: 80.</summary>
    public const decimal NearPercent = 80m;

    /// <summary>Share of a limit (percent) from which it is reached: 100.</summary>
    public const decimal ReachedPercent = 100m;

    /// <summary>The level of a limit used to <paramref name="percentUsed"/> percent.</summary>
    /// <param name="percentUsed">Spent plus reserved, in percent of the limit.</param>
    public static BudgetLevel Of(decimal percentUsed) => percentUsed switch
    {
        >= ReachedPercent => BudgetLevel.Reached,
        >= NearPercent => BudgetLevel.Near,
        _ => BudgetLevel.Ok,
    };

    /// <summary>The higher of two levels.</summary>
    public static BudgetLevel Max(BudgetLevel a, BudgetLevel b) => a >= b ? a : b;
}
