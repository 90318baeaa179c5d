namespace OrleansTenancy.Ledger;

/// <summary>What recording one usage row did.</summary>
public enum LedgerInsertResult
{
    /// <summary>The row was stored.</summary>
    Recorded,

    /// <summary>A row with the same request id already existed; nothing changed.</summary>
    AlreadyRecorded,
}

/// <summary>Sums over a set of ledger rows.</summary>
/// <param name="Requests">All rows.</param>
/// <param name="Executions">Rows whose status is <see cref="UsageStatus.Ok"/>, <see cref="UsageStatus.Cancelled"/> or <see cref="UsageStatus.Incomplete"/>: requests that ran and were settled (the tenant grain counts executions the same way).</param>
/// <param name="TokensIn">Sum of prompt tokens.</param>
/// <param name="TokensOut">Sum of completion tokens.</param>
/// <param name="CostUsd">Sum of settled cost.</param>
/// <param name="EstimatedCostUsd">Sum of reserved (estimated) cost.</param>
/// <param name="CachedRequests">Rows answered from the cache.</param>
public sealed record UsageTotals(
    long Requests,
    long Executions,
    long TokensIn,
    long TokensOut,
    decimal CostUsd,
    decimal EstimatedCostUsd,
    long CachedRequests)
{
    /// <summary>No usage.</summary>
    public static UsageTotals Zero { get; } = new(0, 0, 0, 0, 0m, 0m, 0);

    /// <summary>Prompt plus completion tokens.</summary>
    public long Tokens => TokensIn + TokensOut;

    /// <summary>The field-wise sum of two totals.</summary>
    public UsageTotals Add(UsageTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new UsageTotals(
            Requests + other.Requests,
            Executions + other.Executions,
            TokensIn + other.TokensIn,
            TokensOut + other.TokensOut,
            CostUsd + other.CostUsd,
            EstimatedCostUsd + other.EstimatedCostUsd,
            CachedRequests + other.CachedRequests);
    }
}

/// <summary>Usage of one model or one workspace.</summary>
/// <param name="Key">The model id or workspace name.</param>
/// <param name="Totals">Its sums.</param>
public sealed record UsageBreakdown(string Key, UsageTotals Totals);

/// <summary>Usage of one calendar day in the tenant's time zone.</summary>
/// <param name="Date">The local date.</param>
/// <param name="FromUtc">The instant the day starts (inclusive).</param>
/// <param name="ToUtc">The instant the next day starts (exclusive).</param>
/// <param name="Totals">Its sums.</param>
public sealed record DailyUsage(DateOnly Date, DateTimeOffset FromUtc, DateTimeOffset ToUtc, UsageTotals Totals);

/// <summary>A tenant's usage over a period, with breakdowns.</summary>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="Window">The local dates and UTC instants the period resolved to.</param>
/// <param name="Totals">Sums over the whole period.</param>
/// <param name="ByModel">Per model, largest cost first.</param>
/// <param name="ByWorkspace">Per workspace, largest cost first.</param>
/// <param name="ByDay">Every local day of the period in order, including days without usage.</param>
public sealed record UsageReport(
    string Tenant,
    UsageWindow Window,
    UsageTotals Totals,
    IReadOnlyList<UsageBreakdown> ByModel,
    IReadOnlyList<UsageBreakdown> ByWorkspace,
    IReadOnlyList<DailyUsage> ByDay);

/// <summary>One page of executions, newest first.</summary>
/// <param name="Items">The rows of this page.</param>
/// <param name="NextCursor">Pass to the next call to continue; <see langword="null"/> on the last page.</param>
public sealed record ExecutionPage(IReadOnlyList<UsageRecord> Items, string? NextCursor);
