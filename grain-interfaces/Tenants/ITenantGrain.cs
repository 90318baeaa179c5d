using Orleans.Concurrency;

namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// The budget of one tenant (key: the tenant slug): counters per calendar period in the tenant's time zone, open
/// reservations with a TTL and recently finished request ids. It is the single writer of that state; every grant is
/// durable before it is returned.
/// </summary>
[Alias("OrleansTenancy.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>
    /// Reserves the worst-case cost of a request. Under hard enforcement the grant is refused (with the limit, the
    /// amount left and the reset time) when spent + open reservations + estimate would exceed any limit.
    /// Idempotent on <see cref="ReservationRequest.RequestId"/>.
    /// </summary>
    [Alias("Reserve")]
    Task<ReservationDecision> ReserveAsync(ReservationRequest request);

    /// <summary>
    /// Replaces the reservation with the actual usage and records one ledger row. Idempotent on the request id:
    /// a retried settle changes nothing.
    /// </summary>
    [Alias("Settle")]
    Task<SettleOutcome> SettleAsync(SettleRequest request, ExecutionDetails details);

    /// <summary>
    /// Removes the reservation when upstream failed before any charge and records one ledger row with the error.
    /// Idempotent; never refunds settled usage.
    /// </summary>
    [Alias("Release")]
    Task<ReleaseResult> ReleaseAsync(string requestId, ExecutionDetails details);

    /// <summary>Every configured limit with spent, reserved, remaining, percent used, reset time and forecast.</summary>
    [Alias("GetStatus")]
    [ReadOnly]
    Task<BudgetStatus> GetStatusAsync();

    /// <summary>The budget alerts this tenant fired that are still kept, oldest first, with their delivery to each webhook.</summary>
    [Alias("GetAlerts")]
    [ReadOnly]
    Task<IReadOnlyList<FiredAlertView>> GetAlertsAsync();

    /// <summary>The runtime override of the YAML limits, if one is set.</summary>
    [Alias("GetBudgetOverride")]
    [ReadOnly]
    Task<BudgetLimits?> GetBudgetOverrideAsync();

    /// <summary>
    /// Sets (or, with <see langword="null"/>, clears) a runtime override of the YAML limits. It is persisted; its
    /// fields win over the tenant's files, which win over the global defaults.
    /// </summary>
    [Alias("ConfigureBudget")]
    Task<BudgetStatus> ConfigureBudgetAsync(BudgetLimits? limits);

    /// <summary>
    /// Sends the usage rows of every settle and release received before this call to the usage ledger now (they are
    /// otherwise sent right after each state write, behind the callers), so that a usage query that follows sees them.
    /// A settle still on its way to storage is waited for first.
    /// </summary>
    /// <exception cref="InvalidOperationException">The usage ledger could not be written; the rows stay queued and are retried.</exception>
    [Alias("FlushUsage")]
    Task FlushUsageAsync();

    /// <summary>Recomputes the current day and month counters from the usage ledger and reports what differed.</summary>
    [Alias("Reconcile")]
    Task<ReconcileReport> ReconcileAsync();
}
