using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Storage;
using OrleansTenancy.Grains.Persistence;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Budget;
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

    /// <summary>How often stale reservations are swept and the outbox retried.</summary>
    public static readonly TimeSpan MaintenancePeriod = TimeSpan.FromSeconds(30);

    private readonly IPersistentState<TenantGrainState> _state;
    private readonly ITenantRegistrySource _registry;
    private readonly IUsageLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<TenantGrain> _logger;
    private readonly LlmMetrics? _metrics;
    private readonly GroupCommitter _commit;
    private readonly ReservationCover _cover = new();
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
    // snapshot's rows are still queued.
    private long _outboxRemoved;
    private (TenantRegistry Registry, BudgetLimits? Override, BudgetRules Rules)? _rules;

    /// <summary>Creates the grain; Orleans supplies its state and services.</summary>
    public TenantGrain(
        [PersistentState(StateName)] IPersistentState<TenantGrainState> state,
        ITenantRegistrySource registry,
        IUsageLedger ledger,
        TimeProvider time,
        ILogger<TenantGrain> logger,
        LlmMetrics? metrics = null)
    {
        _state = state;
        _registry = registry;
        _ledger = ledger;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _commit = new GroupCommitter(WriteAsync, OnWriteFailedAsync);
    }

    private string Slug => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        AdoptStoredState();
        LogRecoveredCovers(_account.State);
        this.RegisterGrainTimer(MaintainAsync, MaintenancePeriod, MaintenancePeriod);
        return _persistedOutbox > 0 ? FlushOutboxAsync() : Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A clean stop stores no cover: a later activation must not hold budget for calls that are not in flight.
        _stopping = true;
        if (_reload is null && (_commit.IsBusy || _live.Outbox.Count > 0 || _cover.DurableStateHoldsCover))
        {
            // Also persists the trimmed outbox so a later activation does not re-send rows the ledger already holds.
            await _commit.WhenDurable();
        }
    }

    /// <inheritdoc />
    public async Task<Wire.ReservationDecision> ReserveAsync(Wire.ReservationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await EnsureLoadedAsync();
        var now = _time.GetUtcNow();
        var decision = _account.TryReserve(request.ToDomain(), Rules(), now);
        if (decision.Outcome is ReservationOutcome.Denied or ReservationOutcome.RequestIdFinished)
        {
            return decision.ToWire();
        }

        // Granted, or AlreadyReserved by a retry: either way the caller may act on it only once durable state holds it,
        // inside the cover of the last write or as an open reservation. A covered grant needs no write of its own: the
        // settle's write stores the call's outcome, and until then the cover holds its budget.
        if (decision.Outcome != ReservationOutcome.Granted || !_cover.TryCover(decision.Reservation!, now))
        {
            await _commit.WhenDurable();
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

        var now = _time.GetUtcNow();
        var outcome = _account.Settle(request.ToDomain(), Rules(), now);
        if (outcome.Changed)
        {
            _live.Outbox.Add(LedgerRow(request.RequestId, outcome.Reservation, request.Workspace, details, now) with
            {
                TokensIn = request.PromptTokens,
                TokensOut = request.CompletionTokens,
                CostUsd = request.ActualCostUsd,
            });
        }

        // A duplicate changed nothing, but the settle it repeats may still be on its way to storage.
        await (outcome.Changed || _commit.IsBusy ? _commit.WhenDurable() : Task.CompletedTask);
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
            var status = details.Status == UsageStatus.Ok ? UsageStatus.Error : details.Status;
            _live.Outbox.Add(LedgerRow(requestId, reservation, null, details, now) with { Status = status });
        }

        await (result == ReleaseResult.Released || _commit.IsBusy ? _commit.WhenDurable() : Task.CompletedTask);
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
        await _commit.WhenDurable();
        return await GetStatusAsync();
    }
}
