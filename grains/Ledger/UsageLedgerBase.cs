namespace OrleansTenancy.Ledger;

/// <summary>
/// The store-independent half of a ledger: validation, period resolution and report assembly. Stores
/// implement sums over UTC ranges, grouped sums and per-day sums over day boundaries computed here, so
/// days are local calendar days even across daylight-saving changes.
/// </summary>
public abstract class UsageLedgerBase : IUsageLedger
{
    /// <inheritdoc />
    public Task<LedgerInsertResult> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default) =>
        InsertAsync(UsageLedgerValidation.Normalize(record), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<LedgerInsertResult>> RecordBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var normalized = records.Select(UsageLedgerValidation.Normalize).ToList();
        return normalized.Count == 0
            ? Task.FromResult<IReadOnlyList<LedgerInsertResult>>([])
            : InsertBatchAsync(normalized, cancellationToken);
    }

    /// <inheritdoc />
    public Task<UsageTotals> GetTotalsAsync(string tenant, string? workspace, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken = default)
    {
        UsageLedgerValidation.RequireTenant(tenant);
        UsageLedgerValidation.RequireRange(fromUtc, toUtc);
        return SumAsync(tenant, workspace, fromUtc, toUtc, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<UsageReport> GetUsageAsync(string tenant, UsagePeriod period, TimeZoneInfo timeZone, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        UsageLedgerValidation.RequireTenant(tenant);
        ArgumentNullException.ThrowIfNull(period);
        var window = period.Resolve(timeZone, now);
        var days = LocalCalendar.Days(window.FirstDate, window.LastDate, timeZone);

        var byModel = await SumGroupedAsync(tenant, LedgerGrouping.Model, window.FromUtc, window.ToUtc, cancellationToken).ConfigureAwait(false);
        var byWorkspace = await SumGroupedAsync(tenant, LedgerGrouping.Workspace, window.FromUtc, window.ToUtc, cancellationToken).ConfigureAwait(false);
        var perDay = await SumPerDayAsync(tenant, days, cancellationToken).ConfigureAwait(false);

        var byDay = days
            .Select(day => new DailyUsage(day.Date, day.FromUtc, day.ToUtc, perDay.GetValueOrDefault(day.Date, UsageTotals.Zero)))
            .ToList();
        // The days tile the window exactly, so the period total is their sum: always consistent with ByDay.
        var totals = byDay.Aggregate(UsageTotals.Zero, (sum, day) => sum.Add(day.Totals));
        return new UsageReport(tenant, window, totals, Ordered(byModel), Ordered(byWorkspace), byDay);
    }

    /// <inheritdoc />
    public Task<bool> IsSettledAsync(string tenant, string requestId, CancellationToken cancellationToken = default)
    {
        UsageLedgerValidation.RequireTenant(tenant);
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        return ChargedExistsAsync(tenant, requestId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ExecutionPage> ListExecutionsAsync(string tenant, int pageSize, string? cursor, string? workspace = null, CancellationToken cancellationToken = default)
    {
        UsageLedgerValidation.RequireTenant(tenant);
        var size = UsageLedgerValidation.ClampPageSize(pageSize);
        (long CreatedMicros, string RequestId)? after = cursor is null ? null : UsageLedgerValidation.DecodeCursor(cursor);
        return PageAsync(tenant, workspace, size, after, cancellationToken);
    }

    /// <summary>Inserts one normalized row unless its request id exists (a charged row replaces an uncharged one).</summary>
    protected abstract Task<LedgerInsertResult> InsertAsync(UsageRecord record, CancellationToken cancellationToken);

    /// <summary>Inserts normalized rows in one transaction, in order, reporting each.</summary>
    protected abstract Task<IReadOnlyList<LedgerInsertResult>> InsertBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken);

    /// <summary>Sums rows of a tenant (and workspace, when given) with <c>fromUtc &lt;= created_at &lt; toUtc</c>.</summary>
    protected abstract Task<UsageTotals> SumAsync(string tenant, string? workspace, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken);

    /// <summary>Sums rows of a tenant in a UTC range grouped by model or workspace.</summary>
    protected abstract Task<IReadOnlyList<UsageBreakdown>> SumGroupedAsync(string tenant, LedgerGrouping grouping, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken);

    /// <summary>Sums rows of a tenant per given day (days without rows may be absent).</summary>
    protected abstract Task<IReadOnlyDictionary<DateOnly, UsageTotals>> SumPerDayAsync(
        string tenant, IReadOnlyList<(DateOnly Date, DateTimeOffset FromUtc, DateTimeOffset ToUtc)> days, CancellationToken cancellationToken);

    /// <summary>Whether the tenant has a charged row with the request id.</summary>
    protected abstract Task<bool> ChargedExistsAsync(string tenant, string requestId, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="pageSize"/> rows older than <paramref name="after"/> (newest first) and the next cursor.</summary>
    protected abstract Task<ExecutionPage> PageAsync(string tenant, string? workspace, int pageSize, (long CreatedMicros, string RequestId)? after, CancellationToken cancellationToken);

    /// <summary>Builds the page result from rows read with one extra row that tells whether another page exists.</summary>
    protected static ExecutionPage ToPage(List<UsageRecord> rowsPlusOne, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(rowsPlusOne);
        if (rowsPlusOne.Count <= pageSize)
        {
            return new ExecutionPage(rowsPlusOne, null);
        }

        rowsPlusOne.RemoveAt(pageSize);
        return new ExecutionPage(rowsPlusOne, UsageLedgerValidation.EncodeCursor(rowsPlusOne[^1]));
    }

    private static List<UsageBreakdown> Ordered(IReadOnlyList<UsageBreakdown> rows) =>
        [.. rows.OrderByDescending(r => r.Totals.CostUsd).ThenBy(r => r.Key, StringComparer.Ordinal)];
}

/// <summary>The columns a ledger report groups by.</summary>
public enum LedgerGrouping
{
    /// <summary>By model id.</summary>
    Model,

    /// <summary>By workspace.</summary>
    Workspace,
}
