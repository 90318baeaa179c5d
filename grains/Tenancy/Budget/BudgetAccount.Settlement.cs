namespace OrleansTenancy.Tenancy.Budget;

public sealed partial class BudgetAccount
{
    /// <summary>
    /// Replaces the reservation of <see cref="SettleRequest.RequestId"/> with the actual usage, in the periods of the
    /// reservation's creation time. Idempotent: a second settle (or a settle after release) changes nothing. A settle
    /// for an expired reservation records the usage in the reservation's periods; for an unknown id, in the current
    /// periods of <see cref="SettleRequest.Workspace"/> (or tenant-wide only when that is unset).
    /// </summary>
    /// <param name="request">The actual usage.</param>
    /// <param name="rules">The tenant's effective limits and time zone (for alerts and the current period).</param>
    /// <param name="now">The current instant.</param>
    /// <returns>What happened.</returns>
    public SettleOutcome Settle(SettleRequest request, BudgetRules rules, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentException.ThrowIfNullOrEmpty(request.RequestId);
        if (request.ActualCostUsd < 0 || request.PromptTokens < 0 || request.CompletionTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), $"Settle '{request.RequestId}': usage must not be negative (cost {request.ActualCostUsd}, prompt {request.PromptTokens}, completion {request.CompletionTokens}).");
        }

        var usage = new Usage(request.ActualCostUsd, request.PromptTokens + request.CompletionTokens, 1);
        SettleResult result;
        Reservation? reservation = null;
        string? workspace;
        if (TakeOpen(request.RequestId, out reservation))
        {
            workspace = reservation.Workspace;
            var counters = WorkspaceCounters(workspace);
            AddReserved(State.Tenant, reservation, sign: -1);
            AddReserved(counters, reservation, sign: -1);
            AddSpent(State.Tenant, reservation.DayKey, reservation.MonthKey, usage);
            AddSpent(counters, reservation.DayKey, reservation.MonthKey, usage);
            Remember(request.RequestId, FinishKind.Settled, now, workspace, reservation.DayKey, reservation.MonthKey);
            result = SettleResult.Settled;
        }
        else if (_recentById.TryGetValue(request.RequestId, out var finished))
        {
            if (finished.Kind != FinishKind.Expired)
            {
                return new SettleOutcome { Result = finished.Kind == FinishKind.Settled ? SettleResult.AlreadySettled : SettleResult.AlreadyReleased };
            }

            workspace = finished.Workspace;
            AddSpent(State.Tenant, finished.DayKey, finished.MonthKey, usage);
            AddSpent(WorkspaceCounters(workspace), finished.DayKey, finished.MonthKey, usage);
            finished.Kind = FinishKind.Settled;
            State.ExpiredCount--;
            finished.FinishedAt = now;
            reservation = finished.Expired;
            finished.Expired = null;
            result = SettleResult.SettledAfterExpiry;
        }
        else
        {
            workspace = string.IsNullOrEmpty(request.Workspace) ? null : request.Workspace;
            var (dayKey, monthKey) = CurrentKeys(rules.TimeZone, now);
            AddSpent(State.Tenant, dayKey, monthKey, usage);
            if (workspace is not null)
            {
                AddSpent(WorkspaceCounters(workspace), dayKey, monthKey, usage);
            }

            Remember(request.RequestId, FinishKind.Settled, now, workspace ?? string.Empty, dayKey, monthKey);
            result = SettleResult.SettledWithoutReservation;
        }

        State.TimeZoneId = rules.TimeZone.Id;
        var current = CurrentKeys(rules.TimeZone, now);
        var alerts = CollectAlerts(rules, workspace, workspace is null ? null : WorkspaceCounters(workspace), current.DayKey, current.MonthKey);
        return new SettleOutcome { Result = result, Reservation = reservation, Alerts = (IReadOnlyList<BudgetAlert>?)alerts ?? [] };
    }

    /// <summary>
    /// Removes the open reservation of <paramref name="requestId"/> and returns its budget (upstream failed before
    /// any charge). Idempotent; never refunds settled usage.
    /// </summary>
    /// <param name="requestId">The request id.</param>
    /// <param name="now">The current instant.</param>
    /// <returns>What happened.</returns>
    public ReleaseResult Release(string requestId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        if (TakeOpen(requestId, out var reservation))
        {
            Unreserve(reservation);
            Remember(requestId, FinishKind.Released, now, reservation.Workspace, reservation.DayKey, reservation.MonthKey);
            return ReleaseResult.Released;
        }

        if (_recentById.TryGetValue(requestId, out var finished))
        {
            return finished.Kind switch
            {
                FinishKind.Settled => ReleaseResult.AlreadySettled,
                FinishKind.Expired => ReleaseResult.AlreadyExpired,
                _ => ReleaseResult.AlreadyReleased,
            };
        }

        return ReleaseResult.Unknown;
    }

    /// <summary>Expires reservations whose TTL has passed at <paramref name="now"/>, returning their budget.</summary>
    /// <param name="now">The current instant.</param>
    /// <returns>How many expired.</returns>
    public int ExpireStale(DateTimeOffset now)
    {
        // Fast path: nothing can have expired before the earliest known expiry (kept conservative: never later than the real one).
        if (now < _nextExpiry)
        {
            return 0;
        }

        List<Reservation>? expired = null;
        foreach (var reservation in State.Reservations.Values)
        {
            if (reservation.ExpiresAt <= now)
            {
                (expired ??= []).Add(reservation);
            }
        }

        if (expired is not null)
        {
            foreach (var reservation in expired)
            {
                State.Reservations.Remove(reservation.RequestId);
                Unreserve(reservation);
                if (reservation.Cover)
                {
                    _covers--;
                    continue; // nobody settles a cover, so there is nothing to remember
                }

                Remember(reservation.RequestId, FinishKind.Expired, now, reservation.Workspace, reservation.DayKey, reservation.MonthKey, reservation);
            }
        }

        RecomputeNextExpiry();
        return expired?.Count ?? 0;
    }

    private void Unreserve(Reservation reservation)
    {
        AddReserved(State.Tenant, reservation, sign: -1);
        if (State.Workspaces.TryGetValue(reservation.Workspace, out var counters))
        {
            AddReserved(counters, reservation, sign: -1);
        }
    }

    private void RecomputeNextExpiry()
    {
        var next = DateTimeOffset.MaxValue;
        foreach (var reservation in State.Reservations.Values)
        {
            if (reservation.ExpiresAt < next)
            {
                next = reservation.ExpiresAt;
            }
        }

        _nextExpiry = next;
    }

    private void Remember(string requestId, FinishKind kind, DateTimeOffset now, string workspace, int dayKey, int monthKey, Reservation? expired = null)
    {
        var finished = new FinishedRequest
        {
            RequestId = requestId,
            Kind = kind,
            FinishedAt = now,
            Workspace = workspace,
            DayKey = dayKey,
            MonthKey = monthKey,
            Expired = expired,
        };
        State.RecentlyFinished.Add(finished);
        State.ExpiredCount += kind == FinishKind.Expired ? 1 : 0;
        _recentById[requestId] = finished;
        TrimRecent(now);
    }

    private void TrimRecent(DateTimeOffset now)
    {
        var recent = State.RecentlyFinished;
        var cutoff = now - _options.RecentRequestRetention;
        var excess = recent.Count - _options.RecentRequestCapacity;

        // Trim in batches (an eighth of the capacity) so the list shift is amortised; age is checked from the oldest end.
        var drop = excess > _options.RecentRequestCapacity / 8 ? excess : 0;
        while (drop < recent.Count && recent[drop].FinishedAt < cutoff)
        {
            drop++;
        }

        if (drop == 0)
        {
            return;
        }

        for (var i = 0; i < drop; i++)
        {
            var old = recent[i];
            State.ExpiredCount -= old.Kind == FinishKind.Expired ? 1 : 0;
            if (_recentById.TryGetValue(old.RequestId, out var indexed) && ReferenceEquals(indexed, old))
            {
                _recentById.Remove(old.RequestId);
            }
        }

        recent.RemoveRange(0, drop);
    }
}
