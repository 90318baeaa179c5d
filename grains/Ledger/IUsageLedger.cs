namespace OrleansTenancy.Ledger;

/// <summary>
/// The durable record of every request outcome: one row per request id, the source of truth that the
/// TenantGrain's counters reconcile against.
/// </summary>
public interface IUsageLedger
{
    /// <summary>The largest page <see cref="ListExecutionsAsync"/> returns; larger requests are cut to it.</summary>
    const int MaxPageSize = 200;

    /// <summary>
    /// Stores one row. A request id already present is a no-op that returns <see cref="LedgerInsertResult.AlreadyRecorded"/>,
    /// unless the present row is uncharged and this one charged (<see cref="UsageStatus.IsCharged"/>): then this row
    /// replaces it, as the final outcome of a call retried after it failed without a charge.
    /// </summary>
    /// <exception cref="ArgumentException">A field is missing or out of range; the message names it.</exception>
    Task<LedgerInsertResult> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores many rows in one transaction, in order, each as <see cref="RecordAsync"/> would; the result at index i says
    /// what happened to record i.
    /// </summary>
    Task<IReadOnlyList<LedgerInsertResult>> RecordBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Sums a tenant's rows created in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), optionally for one workspace (used to reconcile counters).</summary>
    Task<UsageTotals> GetTotalsAsync(string tenant, string? workspace, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken = default);

    /// <summary>A tenant's usage over a calendar period in its time zone, with per-model, per-workspace and per-day breakdowns.</summary>
    Task<UsageReport> GetUsageAsync(string tenant, UsagePeriod period, TimeZoneInfo timeZone, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// A tenant's rows newest first (by <see cref="UsageRecord.CreatedAt"/>, then request id), optionally for one
    /// workspace. <paramref name="pageSize"/> is cut to <see cref="MaxPageSize"/>; <paramref name="cursor"/> is
    /// the <see cref="ExecutionPage.NextCursor"/> of the previous page (keyset paging: rows added meanwhile never shift pages).
    /// </summary>
    Task<ExecutionPage> ListExecutionsAsync(string tenant, int pageSize, string? cursor, string? workspace = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether <paramref name="tenant"/> has a charged row with <paramref name="requestId"/>: the durable record that the
    /// request id is finished (the final guard of reserve and settle idempotency, across restarts).
    /// </summary>
    Task<bool> IsSettledAsync(string tenant, string requestId, CancellationToken cancellationToken = default);
}
