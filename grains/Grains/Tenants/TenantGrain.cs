using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Storage;
using OrleansTenancy.Grains.Alerts;
using OrleansTenancy.Grains.Persistence;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Rates;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants;

/// <summary>
/// The budget of one tenant. Decisions are made in memory, in arrival order, by this single activation; grants are
/// persisted with group commit before they are returned, or returned at once when the cover of the last write holds
/// them (<see cref="ReservationCover"/>).
/// </summary>
/// <remarks>
/// <para>
/// Why reentrant: group commit needs requests to keep arriving while a write is in flight. Orleans runs the turns of
/// one activation one at a time on its scheduler, and every decision (read state, decide, mutate, join the next write)
/// is one synchronous stretch of a turn, so interleaving happens only at the await on durability, never inside a
/// decision. The commit loop (<see cref="GroupCommitter"/>), the ledger flushes and the timer run as turns of this
/// activation too: no state is touched anywhere else, and no lock is needed.
/// </para>
/// <para>
/// What is written: each write serialises a copy of the state taken when the write starts (with the covers of that
/// write placed in the copy only), so decisions made while the write is in flight never leak into it half-done.
/// </para>
/// <para>
/// Failure: when a write fails, the batch and the one collecting behind it fail, and the state is re-read from storage
/// before any further decision (<see cref="_reload"/>); callers retry against durable state. An ETag conflict
/// (<see cref="InconsistentStateException"/>, another activation wrote first) also reaches the callers, and Orleans
/// deactivates this activation when it escapes a call, so the next call activates afresh from storage.
/// </para>
/// <para>
/// Ledger rows travel in the persisted state (<see cref="TenantGrainState.Outbox"/>) and are sent to the ledger after
/// each write, so counters and ledger cannot drift apart for good: a row lost on the way is re-sent, a duplicate is
/// ignored by the ledger's unique request id.
/// </para>
/// </remarks>
[Reentrant]
[GrainType("tenant")]
public sealed partial class TenantGrain : Grain, Wire.ITenantGrain
{
    /// <summary>The ledger workspace of a settle that names none and matches no reservation (counted tenant-wide only).</summary>
    public const string UnattributedWorkspace = "_unattributed";

    /// <summary>The name of the persisted state.</summary>
    public const string StateName = "budget";

    /// <summary>
    /// How often stale reservations are swept and the outbox retried. The timer runs only while there is something to
    /// sweep or send (open reservations, outbox rows): an idle activation holds none.
    /// </summary>
    public static readonly TimeSpan MaintenancePeriod = TimeSpan.FromSeconds(30);

    private readonly IPersistentState<TenantGrainState> _state;
    private readonly ITenantRegistrySource _registry;
    private readonly IUsageLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<TenantGrain> _logger;
    private readonly LlmMetrics? _metrics;
    private readonly AlertDispatcher? _alerts;

    // Created on first use: most activations only read, and an idle one holds neither.
    private GroupCommitter? _committer;
    private ReservationCover? _covers;
    private IGrainTimer? _maintenance;

    // The tenant's requests and tokens of the current minute: held by this activation only (not stored), and kept when
    // the state is read again after a failed write, so the rate limits hold across the cluster while it lives.
    private readonly RateWindow _rate = new();
    private bool _stopping;

    // The state decisions are made on. Storage writes serialise copies of it (see WriteAsync).
    private TenantGrainState _live = null!;
    private BudgetAccount _account = null!;
    private Task? _reload;
    private Task _flush = Task.CompletedTask;
    private string? _lastLedgerError;

    // How many leading outbox rows the last successful write holds: only those may be sent to the ledger, so the
    // ledger never has a row whose counters storage does not.
    private int _persistedOutbox;

    // Rows removed from the outbox front since activation; lets a write that overlapped a flush tell which of its
    // snapshot's rows are still queued, and a flush which of the rows queued on its entry are sent.
    private long _outboxRemoved;

    // Completed (and cleared) when rows leave the outbox: a flush waiting behind another send learns its rows left.
    // Made only while a flush waits, so an idle activation carries none.
    private TaskCompletionSource? _rowsSent;

    // State re-reads since activation: a re-read replaces the outbox, so counts taken before it no longer apply.
    private int _reloads;
    private (TenantRegistry Registry, BudgetLimits? Override, BudgetRules Rules)? _rules;

    /// <summary>Creates the grain; Orleans supplies its state and services.</summary>
    public TenantGrain(
        [PersistentState(StateName)] IPersistentState<TenantGrainState> state,
        ITenantRegistrySource registry,
        IUsageLedger ledger,
        TimeProvider time,
        ILogger<TenantGrain> logger,
        LlmMetrics? metrics = null,
        AlertDispatcher? alerts = null)
    {
        _state = state;
        _registry = registry;
        _ledger = ledger;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _alerts = alerts;
    }

    private string Slug => this.GetPrimaryKeyString();

    // On the grain's clock, like every wait of the grain: a settle that may wait (SettleRequest.StoreWithin) is stored
    // when that clock reaches the end of its window, or sooner with a grant, a usage read or a deactivation.
    private GroupCommitter Commit => _committer ??= new GroupCommitter(WriteAsync, OnWriteFailedAsync, _time);

    private ReservationCover Cover => _covers ??= new ReservationCover();

    private bool CommitBusy => _committer is { IsBusy: true };

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        AdoptStoredState();
        LogRecoveredCovers(_account.State);
        ArmMaintenance();
        return _persistedOutbox > 0 ? FlushOutboxAsync() : Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A clean stop stores no cover: a later activation must not hold budget for calls that are not in flight.
        _stopping = true;
        if (_reload is null && (CommitBusy || _live.Outbox.Count > 0 || _covers is { DurableStateHoldsCover: true }))
        {
            // Also persists the trimmed outbox so a later activation does not re-send rows the ledger already holds.
            await Commit.WhenDurable();
        }
    }

    /// <inheritdoc />
    public async Task<Wire.ReservationDecision> ReserveAsync(Wire.ReservationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await EnsureLoadedAsync();

        // A caller's id this activation does not know may belong to a call settled before it started: the ledger (or
        // the outbox on its way there) is the durable record, asked before the id can go upstream a second time. Other
        // turns may run during the lookup; the decision below is made on the state as it is once it returns, so a
        // duplicate granted meanwhile is seen as in progress and an id settled meanwhile as finished — and, should a
        // failed write have started a re-read meanwhile, on what storage holds once the re-read is done.
        if (!request.FreshRequestId && await SettledBeforeAsync(request.RequestId))
        {
            return new Wire.ReservationDecision { Outcome = Wire.ReservationOutcome.RequestIdFinished };
        }

        await EnsureLoadedAsync();

        var now = _time.GetUtcNow();
        var decision = _account.TryReserve(request.ToDomain(), Rules(), now);
        if (!decision.IsGranted)
        {
            return decision.ToWire();
        }

        Announce(decision.Alerts);
        ArmMaintenance();

        // Granted, or AlreadyReserved by a retry: either way the caller may act on it only once durable state holds it,
        // inside the cover of the last write or as an open reservation. A covered grant needs no write of its own: the
        // settle's write stores the call's outcome, and until then the cover holds its budget. A cover holds budget but
        // no id, so only a grant under an id the gateway made up (it never repeats) may be covered: the caller's own
        // X-Request-Id is stored before upstream is called, or a failed write or a crash would let its retry go upstream
        // a second time while the first call may still be charged.
        if (decision.Outcome != ReservationOutcome.Granted || !request.FreshRequestId || !Cover.TryCover(decision.Reservation!, now))
        {
            await Commit.WhenDurable();
        }

        return decision.ToWire();
    }

    /// <inheritdoc />
    public async Task<Wire.SettleOutcome> SettleAsync(Wire.SettleRequest request, Wire.ExecutionDetails details)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(details);
        await EnsureLoadedAsync();
        if (await SettledBeforeAsync(request.RequestId))
        {
            return new Wire.SettleOutcome { Result = Wire.SettleResult.AlreadySettled };
        }

        // The lookup may have let a failed write start a re-read: decide on what storage holds.
        await EnsureLoadedAsync();

        var now = _time.GetUtcNow();
        var outcome = _account.Settle(request.ToDomain(), Rules(), now);
        Announce(outcome.Alerts);
        if (outcome.Changed)
        {
            // A settled row is charged whatever the call's status said (a timeout after the request was sent is settled
            // as incomplete): the ledger counts it as an execution and its id as finished, as the counters do.
            _live.Outbox.Add(LedgerRow(request.RequestId, outcome.Reservation, request.Workspace, details, now) with
            {
                TokensIn = request.PromptTokens,
                TokensOut = request.CompletionTokens,
                CostUsd = request.ActualCostUsd,
                Status = UsageStatus.IsCharged(details.Status) ? details.Status : UsageStatus.Incomplete,
            });
        }

        // A duplicate changed nothing, but the settle it repeats may still be on its way to storage.
        await (outcome.Changed || CommitBusy ? Commit.WhenDurable(request.StoreWithin) : Task.CompletedTask);
        return outcome.ToWire();
    }

    /// <inheritdoc />
    public async Task<Wire.ReleaseResult> ReleaseAsync(string requestId, Wire.ExecutionDetails details)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentNullException.ThrowIfNull(details);
        await EnsureLoadedAsync();
        var now = _time.GetUtcNow();
        var reservation = _account.State.Reservations.GetValueOrDefault(requestId);
        var result = _account.Release(requestId, now);
        if (result == ReleaseResult.Released)
        {
            // A released row is never charged: the id stays free for a retry and no execution is counted.
            var status = UsageStatus.IsCharged(details.Status) ? UsageStatus.Error : details.Status;
            _live.Outbox.Add(LedgerRow(requestId, reservation, null, details, now) with { Status = status });
        }

        await (result == ReleaseResult.Released || CommitBusy ? Commit.WhenDurable() : Task.CompletedTask);
        return result.ToWire();
    }

    /// <inheritdoc />
    public async Task<Wire.BudgetStatus> GetStatusAsync()
    {
        await EnsureLoadedAsync();
        return _account.GetStatus(Rules(), _time.GetUtcNow()).ToWire();
    }

    /// <inheritdoc />
    public async Task<Wire.BudgetLimits?> GetBudgetOverrideAsync()
    {
        await EnsureLoadedAsync();
        return _live.Override?.ToWire();
    }

    /// <inheritdoc />
    public async Task<Wire.BudgetStatus> ConfigureBudgetAsync(Wire.BudgetLimits? limits)
    {
        var domain = limits?.ToDomain();
        if (domain is not null)
        {
            BudgetLimitsValidation.ThrowIfInvalid(domain, $"budget override of tenant '{Slug}'");
        }

        await EnsureLoadedAsync();
        _live.Override = domain;
        _rules = null;
        await Commit.WhenDurable();
        return await GetStatusAsync();
    }
}
