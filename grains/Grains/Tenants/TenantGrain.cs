using Microsoft.Extensions.Logging;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Grains.Persistence;
using OrleansTenancy.Ledger;
using OrleansTenancy.Runtime;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Grains.Tenants;

/// <summary>
/// The budget of one tenant. Decisions are made in memory, in arrival order, by this single activation; grants are
/// persisted with group commit before they are returned, or returned at once when the cover of the last write holds
/// them (<see cref="ReservationCover"/>).
/// </summary>
/// <remarks>
/// <para>
/// Why reentrant: group commit needs requests to keep arriving while a write is in flight. Every decision runs as one
/// synchronous section under <see cref="_gate"/> (read state, decide, mutate, join the next write), so interleaving
/// happens only at the await on durability, never inside a decision.
/// </para>
/// <para>
/// Failure: when a write fails, the batch and the one collecting behind it fail, and the state is re-read from storage
/// before any further decision (<see cref="_reload"/>); callers retry against durable state. An ETag conflict also
/// reaches the callers as <see cref="InconsistentStateException"/>, so the runtime deactivates this activation.
/// </para>
/// <para>
/// Ledger rows travel in the persisted state (<see cref="TenantGrainState.Outbox"/>) and are sent to the ledger after
/// each write, so counters and ledger cannot drift apart for good: a row lost on the way is re-sent, a duplicate is
/// ignored by the ledger's unique request id.
/// </para>
/// </remarks>
[Reentrant]
public sealed partial class TenantGrain : Grain, ITenantGrain
{
    /// <summary>The ledger workspace of a settle that names none and matches no reservation (counted tenant-wide only).</summary>
    public const string UnattributedWorkspace = "_unattributed";

    /// <summary>How often stale reservations are swept and the outbox retried.</summary>
    public static readonly TimeSpan MaintenancePeriod = TimeSpan.FromSeconds(30);

    private readonly IPersistentState<TenantGrainState> _state;
    private readonly ITenantRegistrySource _registry;
    private readonly IUsageLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<TenantGrain> _logger;
    private readonly LlmMetrics? _metrics;
    private readonly Lock _gate = new();
    private readonly GroupCommitter _commit;
    private readonly ReservationCover _cover = new();
    private bool _stopping;
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

    /// <summary>Creates the grain; the runtime supplies its state and services.</summary>
    public TenantGrain(
        [PersistentState("budget")] IPersistentState<TenantGrainState> state,
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

    private string Slug => GetPrimaryKeyString();

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _account = new BudgetAccount(_state.State.Account ??= new BudgetAccountState());
        _state.State.Outbox ??= [];
        LogRecoveredCovers(_account.State);
        RegisterGrainTimer(MaintainAsync, MaintenancePeriod, MaintenancePeriod);
        _persistedOutbox = _state.State.Outbox.Count;
        return _persistedOutbox > 0 ? FlushOutboxAsync() : Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        bool write;
        lock (_gate)
        {
            // A clean stop stores no cover: a later activation must not hold budget for calls that are not in flight.
            _stopping = true;
            write = _reload is null && (_commit.IsBusy || _state.State.Outbox.Count > 0 || _cover.DurableStateHoldsCover);
        }

        if (write)
        {
            // Also persists the trimmed outbox so a later activation does not re-send rows the ledger already holds.
            await Durable();
        }
    }

    /// <inheritdoc />
    public async Task<ReservationDecision> ReserveAsync(ReservationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await EnsureLoadedAsync();
        ReservationDecision decision;
        Task durable;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            decision = _account.TryReserve(request, Rules(), now);
            if (decision.Outcome is ReservationOutcome.Denied or ReservationOutcome.RequestIdFinished)
            {
                return decision;
            }

            // Granted, or AlreadyReserved by a retry: either way the caller may act on it only once durable state holds
            // it, inside the cover of the last write or as an open reservation. A covered grant needs no write of its
            // own: the settle's write stores the call's outcome, and until then the cover holds its budget.
            if (decision.Outcome == ReservationOutcome.Granted && _cover.TryCover(decision.Reservation!, now))
            {
                return decision;
            }

            durable = _commit.WhenDurable();
        }

        await durable;
        return decision;
    }

    /// <inheritdoc />
    public async Task<SettleOutcome> SettleAsync(SettleRequest request, ExecutionDetails details)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(details);
        await EnsureLoadedAsync();
        if (await SettledBeforeAsync(request.RequestId))
        {
            return new SettleOutcome { Result = SettleResult.AlreadySettled };
        }

        SettleOutcome outcome;
        Task durable;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            outcome = _account.Settle(request, Rules(), now);
            if (!outcome.Changed)
            {
                durable = _commit.IsBusy ? _commit.WhenDurable() : Task.CompletedTask;
            }
            else
            {
                _state.State.Outbox.Add(LedgerRow(request.RequestId, outcome.Reservation, request.Workspace, details, now) with
                {
                    TokensIn = request.PromptTokens,
                    TokensOut = request.CompletionTokens,
                    CostUsd = request.ActualCostUsd,
                });
                durable = _commit.WhenDurable();
            }
        }

        await durable;
        return outcome;
    }

    /// <inheritdoc />
    public async Task<ReleaseResult> ReleaseAsync(string requestId, ExecutionDetails details)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentNullException.ThrowIfNull(details);
        await EnsureLoadedAsync();
        ReleaseResult result;
        Task durable;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var reservation = _account.State.Reservations.GetValueOrDefault(requestId);
            result = _account.Release(requestId, now);
            if (result != ReleaseResult.Released)
            {
                durable = _commit.IsBusy ? _commit.WhenDurable() : Task.CompletedTask;
            }
            else
            {
                var status = details.Status == UsageStatus.Ok ? UsageStatus.Error : details.Status;
                _state.State.Outbox.Add(LedgerRow(requestId, reservation, null, details, now) with { Status = status });
                durable = _commit.WhenDurable();
            }
        }

        await durable;
        return result;
    }

    /// <inheritdoc />
    public async Task<BudgetStatus> GetStatusAsync()
    {
        await EnsureLoadedAsync();
        lock (_gate)
        {
            return _account.GetStatus(Rules(), _time.GetUtcNow());
        }
    }

    /// <inheritdoc />
    public async Task<BudgetLimits?> GetBudgetOverrideAsync()
    {
        await EnsureLoadedAsync();
        return _state.State.Override;
    }

    /// <inheritdoc />
    public async Task<BudgetStatus> ConfigureBudgetAsync(BudgetLimits? limits)
    {
        if (limits is not null)
        {
            BudgetLimitsValidation.ThrowIfInvalid(limits, $"budget override of tenant '{Slug}'");
        }

        await EnsureLoadedAsync();
        Task durable;
        lock (_gate)
        {
            _state.State.Override = limits;
            _rules = null;
            durable = _commit.WhenDurable();
        }

        await durable;
        return await GetStatusAsync();
    }
}
