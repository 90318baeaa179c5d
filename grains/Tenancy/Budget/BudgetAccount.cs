using OrleansTenancy.Tenancy.Rates;

namespace OrleansTenancy.Tenancy.Budget;

/// <summary>
/// The budget of one tenant: reserve the worst case before a call, settle the actual usage after it, release or
/// expire what was never used. Pure domain over a <see cref="BudgetAccountState"/>; the tenant grain is its single
/// writer, so the account is not thread-safe and needs no locks.
/// </summary>
/// <remarks>
/// <para><b>Invariant (hard enforcement).</b> For every configured period limit L of the tenant and of the request's
/// workspace: <c>spent(P) + reserved(P) ≤ L</c> after every grant, where P is the current period. A grant requires
/// <c>spent + reserved + estimate ≤ L</c> for every such limit and <c>estimate ≤ max_per_request</c>. Settle replaces
/// the reserved estimate by the actual usage; if the actual exceeds the estimate the excess is still counted (money
/// spent upstream), and later grants see it.</para>
/// <para><b>Periods.</b> A reservation records the day and month keys of its creation time in the tenant's zone, and
/// its usage lands there: a reservation from before midnight settled after it adds to yesterday's day counter (which
/// no longer limits anything) and to the month counter if the month is the same. Counters roll over lazily: a counter
/// whose key is older than the current key reads as zero. Keys only move forward, so a clock stepping back cannot
/// erase spend.</para>
/// <para><b>Duplicates.</b> Reserve, settle and release are idempotent on the request id. A reserve for an id that is
/// open answers <see cref="ReservationOutcome.InProgress"/> (a concurrent duplicate must not go upstream), unless it
/// comes from the call that made the reservation (same call token: a retried reserve), which gets it back; for an id
/// that was settled or expired, <see cref="ReservationOutcome.RequestIdFinished"/> (upstream may have charged for it);
/// an id that was released (upstream charged nothing) may be reserved again, so a retry of a failed call runs.
/// Finished ids are remembered (bounded by <see cref="BudgetAccountOptions.RecentRequestCapacity"/> and
/// <see cref="BudgetAccountOptions.RecentRequestRetention"/>); beyond that the usage ledger's unique request id is the
/// record the tenant grain asks. A settle for an expired reservation, or for an id never seen, still records the usage,
/// because the provider charged for it.</para>
/// <para><b>Alerts.</b> Thresholds fire under soft and hard enforcement (never under none), on spent + reserved,
/// the measure hard enforcement checks, once per threshold, limit and period.</para>
/// <para><b>Downshift.</b> A request that offers cheaper alternatives and does not fit the per-request cap in effect
/// (<see cref="BudgetRules.MaxPerRequestOf"/>, which includes a runtime override) is reserved on the cheapest alternative
/// that fits; the decision is taken here, on the limits every other check uses.</para>
/// <para><b>Rate limits.</b> A call's first reservation is checked against the tenant's <c>requests_per_minute</c> and
/// <c>tokens_per_minute</c> (<see cref="BudgetRules.RateOf"/>, counted in one <see cref="RateWindow"/> per tenant) in the
/// same decision as its budget, after the request-id checks: a retried reserve, a duplicate or a finished id is
/// answered without touching the window, and only a grant counts, so a refused call costs no rate. Fallback attempts
/// (<see cref="ReservationRequest.Fallback"/>) neither check nor count. Since the tenant grain is the tenant's one
/// activation, the limit holds for the whole cluster. The window is not stored: a new activation starts an empty one,
/// so in the minute a tenant's grain moves (idle collection, a silo's failure) it may admit up to one more window.</para>
/// <para><b>Leaks.</b> Reservations expire after their workspace's TTL (<see cref="BudgetRules.ReservationTtlOf"/>); every reserve first
/// sweeps expired ones, so a crashed caller never causes phantom denials.</para>
/// </remarks>
public sealed partial class BudgetAccount
{
    private readonly BudgetAccountOptions _options;
    private readonly Dictionary<string, FinishedRequest> _recentById;
    private readonly RateWindow _rate;
    private DateTimeOffset _nextExpiry;

    // Covers among State.Reservations: recovered from storage after an unclean stop, or placed for one write.
    private int _covers;

    /// <summary>Wraps <paramref name="state"/> (new or loaded from storage).</summary>
    /// <param name="state">The state to read and mutate.</param>
    /// <param name="options">Tuning; defaults when <see langword="null"/>.</param>
    /// <param name="rate">
    /// The tenant's rate window, which is not part of the state: its owner keeps it when it wraps state read again
    /// from storage. A new window when <see langword="null"/>.
    /// </param>
    public BudgetAccount(BudgetAccountState state, BudgetAccountOptions? options = null, RateWindow? rate = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        _rate = rate ?? new RateWindow();
        _options = options ?? new BudgetAccountOptions();
        _options.Validate();
        State = state;
        state.Tenant ??= new UsageCounters();
        state.Workspaces ??= new Dictionary<string, UsageCounters>(StringComparer.Ordinal);
        state.Reservations ??= new Dictionary<string, Reservation>(StringComparer.Ordinal);
        state.RecentlyFinished ??= [];
        _recentById = new Dictionary<string, FinishedRequest>(state.RecentlyFinished.Count, StringComparer.Ordinal);
        _covers = state.Reservations.Values.Count(r => r.Cover);
        state.ExpiredCount = 0;
        foreach (var finished in state.RecentlyFinished)
        {
            _recentById[finished.RequestId] = finished;
            state.ExpiredCount += finished.Kind == FinishKind.Expired ? 1 : 0;
        }

        RecomputeNextExpiry();
    }

    /// <summary>The state this account mutates; persist it after each change.</summary>
    public BudgetAccountState State { get; }

    /// <summary>
    /// Reserves <paramref name="request"/>'s worst case. Hard enforcement denies when any tenant or workspace limit
    /// would be exceeded; soft grants and lists the overruns; none grants and only tracks. A request id that is open is
    /// <see cref="ReservationOutcome.InProgress"/> (or <see cref="ReservationOutcome.AlreadyReserved"/> for the call that
    /// holds it); one that was settled or expired is
    /// <see cref="ReservationOutcome.RequestIdFinished"/>; a released one is reserved anew.
    /// </summary>
    /// <param name="request">The estimate.</param>
    /// <param name="rules">The tenant's effective limits and time zone.</param>
    /// <param name="now">The current instant.</param>
    /// <returns>The decision.</returns>
    public ReservationDecision TryReserve(ReservationRequest request, BudgetRules rules, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentException.ThrowIfNullOrEmpty(request.RequestId);
        ArgumentException.ThrowIfNullOrEmpty(request.Workspace);
        if (request.EstimatedCostUsd < 0 || request.EstimatedTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), $"Reservation '{request.RequestId}': estimates must not be negative (cost {request.EstimatedCostUsd}, tokens {request.EstimatedTokens}).");
        }

        ExpireStale(now);
        if (State.Reservations.TryGetValue(request.RequestId, out var open))
        {
            return open.Cover ? new ReservationDecision { Outcome = ReservationOutcome.RequestIdFinished }
                : request.CallToken != 0 && request.CallToken == open.CallToken ? new ReservationDecision { Outcome = ReservationOutcome.AlreadyReserved, Reservation = open }
                : new ReservationDecision { Outcome = ReservationOutcome.InProgress };
        }

        var finishedBefore = _recentById.TryGetValue(request.RequestId, out var finished);
        if (finishedBefore && finished!.Kind != FinishKind.Released)
        {
            return new ReservationDecision { Outcome = ReservationOutcome.RequestIdFinished };
        }

        request = Downshifted(request, rules);
        var rate = request.Fallback ? RateLimits.None : rules.RateOf(request.Workspace);
        if (_rate.Check(rate, request.EstimatedTokens, now) is { } wait)
        {
            return new ReservationDecision { Outcome = ReservationOutcome.RateLimited, RetryAfter = wait };
        }

        if (finishedBefore)
        {
            // Released: upstream charged nothing, so a retry of the call may run. The reservation granted below answers
            // for the id from now on; the released entry stays in the list until it is trimmed.
            _recentById.Remove(request.RequestId);
        }

        State.TimeZoneId = rules.TimeZone.Id;
        var (dayKey, monthKey) = CurrentKeys(rules.TimeZone, now);
        var workspaceCounters = WorkspaceCounters(request.Workspace);
        var workspaceLimits = rules.ForWorkspace(request.Workspace);
        var demand = new Usage(request.EstimatedCostUsd, request.EstimatedTokens, 1);

        List<BudgetDenial>? overruns = null;
        var tenantEnforcement = rules.Enforcement;
        if (tenantEnforcement != Enforcement.None)
        {
            var denial = FirstOverrun(null, rules.Tenant, State.Tenant, demand, dayKey, monthKey, rules.TimeZone, now, tenantEnforcement, ref overruns);
            if (denial is not null)
            {
                return new ReservationDecision { Outcome = ReservationOutcome.Denied, Denial = denial };
            }
        }

        if (workspaceLimits is not null && rules.EnforcementOf(workspaceLimits) is var workspaceEnforcement && workspaceEnforcement != Enforcement.None)
        {
            var denial = FirstOverrun(request.Workspace, workspaceLimits, workspaceCounters, demand, dayKey, monthKey, rules.TimeZone, now, workspaceEnforcement, ref overruns);
            if (denial is not null)
            {
                return new ReservationDecision { Outcome = ReservationOutcome.Denied, Denial = denial };
            }
        }

        var reservation = new Reservation
        {
            RequestId = request.RequestId,
            Workspace = request.Workspace,
            Model = request.Model,
            EstimatedCostUsd = request.EstimatedCostUsd,
            EstimatedTokens = request.EstimatedTokens,
            CreatedAt = now,
            ExpiresAt = now + rules.ReservationTtlOf(request.Workspace),
            DayKey = dayKey,
            MonthKey = monthKey,
            CallToken = request.CallToken,
        };
        State.Reservations.Add(reservation.RequestId, reservation);
        AddReserved(State.Tenant, reservation, sign: 1);
        AddReserved(workspaceCounters, reservation, sign: 1);
        if (reservation.ExpiresAt < _nextExpiry)
        {
            _nextExpiry = reservation.ExpiresAt;
        }

        if (!request.Fallback)
        {
            _rate.Count(request.EstimatedTokens, now);
        }

        var alerts = CollectAlerts(rules, request.Workspace, workspaceCounters, dayKey, monthKey);
        return new ReservationDecision
        {
            Outcome = ReservationOutcome.Granted,
            Reservation = reservation,
            Alerts = (IReadOnlyList<BudgetAlert>?)alerts ?? [],
            SoftOverruns = (IReadOnlyList<BudgetDenial>?)overruns ?? [],
        };
    }

    /// <summary>
    /// <paramref name="request"/> moved to its cheapest alternative that fits the per-request cap in effect, when its
    /// own worst case does not (downshift); otherwise unchanged.
    /// </summary>
    private static ReservationRequest Downshifted(ReservationRequest request, BudgetRules rules)
    {
        if (request.Downshift is not { Count: > 0 } alternatives || rules.MaxPerRequestOf(request.Workspace) is not { } cap || request.EstimatedCostUsd <= cap)
        {
            return request;
        }

        ReservationAlternative? cheapest = null;
        foreach (var alternative in alternatives)
        {
            if (alternative.EstimatedCostUsd < 0 || alternative.EstimatedTokens < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(request), $"Reservation '{request.RequestId}': the estimates of alternative '{alternative.Model}' must not be negative.");
            }

            if (alternative.EstimatedCostUsd <= cap && (cheapest is null || alternative.EstimatedCostUsd < cheapest.EstimatedCostUsd))
            {
                cheapest = alternative;
            }
        }

        return cheapest is null
            ? request
            : request with { Model = cheapest.Model, EstimatedCostUsd = cheapest.EstimatedCostUsd, EstimatedTokens = cheapest.EstimatedTokens, Downshift = null };
    }

    private (int DayKey, int MonthKey) CurrentKeys(TimeZoneInfo timeZone, DateTimeOffset now)
    {
        var date = BudgetCalendar.LocalDate(now, timeZone);

        // Keys never move backwards: a clock stepping back across midnight keeps counting in the newer period.
        return (Math.Max(BudgetCalendar.DayKey(date), State.Tenant.Day.Key), Math.Max(BudgetCalendar.MonthKey(date), State.Tenant.Month.Key));
    }

    private UsageCounters WorkspaceCounters(string workspace)
    {
        if (!State.Workspaces.TryGetValue(workspace, out var counters))
        {
            counters = new UsageCounters();
            State.Workspaces.Add(workspace, counters);
        }

        return counters;
    }

    /// <summary>Moves a counter forward to <paramref name="key"/>, zeroing it; returns whether it now holds that key.</summary>
    private static bool RollTo(PeriodUsage counter, int key)
    {
        if (counter.Key == key)
        {
            return true;
        }

        if (counter.Key > key)
        {
            return false;
        }

        counter.Key = key;
        counter.SpentUsd = 0;
        counter.SpentTokens = 0;
        counter.SpentExecutions = 0;
        counter.ReservedUsd = 0;
        counter.ReservedTokens = 0;
        counter.ReservedExecutions = 0;
        counter.CostAlertedPercent = 0;
        counter.TokensAlertedPercent = 0;
        counter.ExecutionsAlertedPercent = 0;
        return true;
    }

    private static void AddReserved(UsageCounters counters, Reservation reservation, int sign)
    {
        AddReserved(counters.Day, reservation.DayKey, reservation, sign);
        AddReserved(counters.Month, reservation.MonthKey, reservation, sign);
    }

    private static void AddReserved(PeriodUsage counter, int key, Reservation reservation, int sign)
    {
        if (sign > 0)
        {
            RollTo(counter, key);
        }
        else if (counter.Key != key)
        {
            // The reservation's period has rolled over; its hold vanished with the old counter.
            return;
        }

        counter.ReservedUsd += sign * reservation.EstimatedCostUsd;
        counter.ReservedTokens += sign * reservation.EstimatedTokens;
        counter.ReservedExecutions += sign * reservation.Executions;
    }

    private static void AddSpent(UsageCounters counters, int dayKey, int monthKey, in Usage usage)
    {
        AddSpent(counters.Day, dayKey, usage);
        AddSpent(counters.Month, monthKey, usage);
    }

    private static void AddSpent(PeriodUsage counter, int key, in Usage usage)
    {
        // A closed period (counter already newer) keeps nothing here; the usage ledger still records the row.
        if (RollTo(counter, key))
        {
            counter.SpentUsd += usage.CostUsd;
            counter.SpentTokens += usage.Tokens;
            counter.SpentExecutions += usage.Executions;
        }
    }

    /// <summary>An amount of usage in all three metrics.</summary>
    private readonly record struct Usage(decimal CostUsd, long Tokens, long Executions);
}
