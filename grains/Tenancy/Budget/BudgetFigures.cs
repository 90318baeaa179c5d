namespace OrleansTenancy.Tenancy.Budget;

/// <summary>
/// The arithmetic behind the figures of a budget status: a percentage of a limit and an end-of-period projection, both
/// bounded so that no stored limit or usage can make them overflow, and rounded to what a reader can use.
/// </summary>
/// <remarks>
/// A limit close to zero (1e-28) divides any usage into a ratio beyond <see cref="decimal.MaxValue"/>; the status of
/// such a tenant must still be readable, so the percentage is capped at <see cref="MaxPercent"/> before it is computed.
/// </remarks>
public static class BudgetFigures
{
    /// <summary>The largest percentage reported: usage 10,000 times its limit. Beyond it the figure says nothing more.</summary>
    public const decimal MaxPercent = 1_000_000m;

    /// <summary>Decimal places of a percentage in a status.</summary>
    public const int PercentDecimals = 2;

    /// <summary>Decimal places of a USD amount in a status: the usage ledger's precision (1e-9 USD).</summary>
    public const int UsdDecimals = 9;

    /// <summary>Decimal places of a token or execution forecast.</summary>
    public const int CountDecimals = 2;

    /// <summary>Usage in percent of a limit, at most <see cref="MaxPercent"/>; a zero limit reads as 100 % once anything is used.</summary>
    /// <param name="used">Spent plus reserved.</param>
    /// <param name="limit">The limit.</param>
    /// <returns>The exact percentage (unrounded, for threshold checks), capped.</returns>
    public static decimal PercentOf(decimal used, decimal limit)
    {
        if (used <= 0)
        {
            return 0m;
        }

        if (limit <= 0)
        {
            return 100m;
        }

        // used / limit ≥ MaxPercent / 100 tested without dividing by the (possibly tiny) limit.
        if (used / (MaxPercent / 100m) >= limit)
        {
            return MaxPercent;
        }

        return used / limit * 100m;
    }

    /// <summary>A percentage as a status shows it: <see cref="PercentDecimals"/> places, without trailing zeros.</summary>
    public static decimal RoundPercent(decimal percent) => Trim(Math.Round(percent, PercentDecimals, MidpointRounding.ToEven));

    /// <summary>A forecast as a status shows it: USD to <see cref="UsdDecimals"/> places, counts to <see cref="CountDecimals"/>.</summary>
    public static decimal RoundForecast(decimal forecast, BudgetMetric metric) =>
        Trim(Math.Round(forecast, metric is BudgetMetric.CostUsd or BudgetMetric.MaxPerRequest ? UsdDecimals : CountDecimals, MidpointRounding.ToEven));

    /// <summary><paramref name="spent"/> scaled by <paramref name="ratio"/> (≥ 1), saturating at <see cref="decimal.MaxValue"/>.</summary>
    internal static decimal Scale(decimal spent, decimal ratio) =>
        spent > decimal.MaxValue / ratio ? decimal.MaxValue : spent * ratio;

    // 1.50 → 1.5 and 2.00 → 2: the value is unchanged, only its scale (and so its JSON text) is.
    private static decimal Trim(decimal value) => value / 1.000000000000000000000000000000000m;
}
