using Microsoft.Extensions.Logging;
using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants;

public sealed partial class TenantGrain
{
    /// <inheritdoc />
    public async Task<Wire.ReconcileReport> ReconcileAsync()
    {
        await EnsureLoadedAsync();

        // The ledger must hold every settled row before it is the reference.
        await _commit.WhenDurable();
        await FlushUsageAsync();

        var rules = Rules();
        var now = _time.GetUtcNow();
        string[] workspaces = [.. _account.State.Workspaces.Keys];

        var day = BudgetCalendar.Day(now, rules.TimeZone);
        var month = BudgetCalendar.Month(now, rules.TimeZone);
        var figures = new List<(string? Workspace, BudgetPeriod Period, int Key, SpentFigures Ledger)>();
        foreach (var workspace in workspaces.Prepend(null))
        {
            foreach (var (period, window) in new[] { (BudgetPeriod.Day, day), (BudgetPeriod.Month, month) })
            {
                var totals = await _ledger.GetTotalsAsync(Slug, workspace, window.Start, window.End);
                figures.Add((workspace, period, window.Key, new SpentFigures(totals.CostUsd, totals.TokensIn + totals.TokensOut, totals.Executions)));
            }
        }

        var lines = new List<Wire.ReconciledCounter>(figures.Count);
        foreach (var (workspace, period, key, ledger) in figures)
        {
            var before = _account.GetSpent(workspace, period, key);
            _account.ReplaceSpent(workspace, period, key, ledger);
            lines.Add(new Wire.ReconciledCounter(
                workspace, period == BudgetPeriod.Day ? "day" : "month", key,
                before.CostUsd, ledger.CostUsd, before.Tokens, ledger.Tokens, before.Executions, ledger.Executions));
        }

        await _commit.WhenDurable();
        var report = new Wire.ReconcileReport([.. lines]);
        if (report.Changed)
        {
            LogReconciled(Slug, lines.Count(l => l.Changed));
        }

        return report;
    }

    /// <summary>Publishes <c>tenant_budget_remaining_usd</c> and <c>tenant_budget_limit_usd</c> {tenant,period} for the tenant-wide cost limits.</summary>
    private void PublishRemaining()
    {
        if (_metrics is null)
        {
            return;
        }

        foreach (var limit in _account.GetStatus(Rules(), _time.GetUtcNow()).Limits)
        {
            if (limit.Workspace is null && limit.Metric == BudgetMetric.CostUsd)
            {
                var period = limit.Period == BudgetPeriod.Day ? "day" : "month";
                _metrics.SetBudgetRemaining(Slug, period, limit.Remaining);
                _metrics.SetBudgetLimit(Slug, period, limit.Limit);
            }
        }
    }

    /// <summary>
    /// Whether a request the account does not know (not open, not recently finished — e.g. after a reactivation) was
    /// settled before: its row is waiting in the outbox or recorded in the ledger. Only unknown ids pay the lookup.
    /// </summary>
    private async Task<bool> SettledBeforeAsync(string requestId)
    {
        if (_account.Knows(requestId))
        {
            return false;
        }

        if (_live.Outbox.Exists(r => string.Equals(r.RequestId, requestId, StringComparison.Ordinal)))
        {
            return true;
        }

        return await _ledger.ContainsAsync(Slug, requestId);
    }

    /// <summary>The effective rules: runtime override over the tenant's files over the global defaults; cached per registry snapshot.</summary>
    private BudgetRules Rules()
    {
        var registry = _registry.Current;
        var overrides = _live.Override;
        if (_rules is { } cached && ReferenceEquals(cached.Registry, registry) && ReferenceEquals(cached.Override, overrides))
        {
            return cached.Rules;
        }

        var tenant = registry.Find(Slug)
            ?? throw new KeyNotFoundException($"Tenant '{Slug}' is not in the registry; add tenants/{Slug}/tenant.yaml or check the slug.");
        var limits = BudgetLimitsMerge.Overlay(overrides, registry.GetEffectiveLimits(Slug));
        var workspaces = tenant.Workspaces.Values
            .Where(w => BudgetLimitsMerge.SetsAnyLimit(w.Budgets))
            .ToDictionary(w => w.Key, w => registry.GetEffectiveLimits(Slug, w.Key), StringComparer.Ordinal);
        var ttlSeconds = tenant.Policy.ReservationTtlSeconds ?? registry.Global.Policy.ReservationTtlSeconds;
        var rules = new BudgetRules(
            limits,
            tenant.TimeZone,
            workspaces.Count == 0 ? null : workspaces,
            ttlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : EffectivePolicy.DefaultReservationTtl);
        _rules = (registry, overrides, rules);
        return rules;
    }

    /// <summary>The effective rules, or <see langword="null"/> when the tenant left the registry (a write must still succeed).</summary>
    private BudgetRules? RulesIfKnown()
    {
        try
        {
            return Rules();
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }

    private UsageRecord LedgerRow(string requestId, Reservation? reservation, string? workspace, Wire.ExecutionDetails details, DateTimeOffset now) => new()
    {
        RequestId = requestId,
        Tenant = Slug,
        Workspace = reservation?.Workspace ?? workspace ?? UnattributedWorkspace,
        Agent = details.Agent,
        Task = details.Task,
        Model = details.Model ?? reservation?.Model ?? "unknown",
        Provider = details.Provider,
        TokensIn = 0,
        TokensOut = 0,
        CostUsd = 0,
        EstimatedCostUsd = reservation?.EstimatedCostUsd ?? 0,
        LatencyMs = details.LatencyMs,
        Status = details.Status,
        Cached = details.Cached,

        // Usage belongs to the period of its reservation (a call reserved before midnight and settled after it
        // counts for the day it started), so the ledger dates the row by the reservation.
        CreatedAt = reservation?.CreatedAt ?? now,
    };

    /// <summary>
    /// The commit loop's write: a copy of the state as it is now, with this write's covers placed in the copy only, so
    /// that decisions made while the write is in flight reach storage with the next write, whole.
    /// </summary>
    private async Task WriteAsync()
    {
        // A failed re-read left the state unknown: read it again before anything is written over it.
        await EnsureLoadedAsync();
        var covers = _cover.Place(_account, RulesIfKnown(), _time.GetUtcNow(), none: _stopping);
        TenantGrainState snapshot;
        try
        {
            snapshot = new TenantGrainState { Account = _account.State.Copy(), Override = _live.Override, Outbox = [.. _live.Outbox] };
        }
        finally
        {
            ReservationCover.Remove(_account, covers);
        }

        var removedAtSnapshot = _outboxRemoved;
        _state.State = snapshot;
        await _state.WriteStateAsync();

        _cover.Written(covers);
        // The write holds the first rows of the outbox as it was; a flush running meanwhile may have removed some of
        // them (always from the front), so only the rest of that prefix is newly known to be durable.
        var persistedNow = snapshot.Outbox.Count - (int)(_outboxRemoved - removedAtSnapshot);
        _persistedOutbox = Math.Min(Math.Max(_persistedOutbox, persistedNow), _live.Outbox.Count);
        PublishRemaining();

        // Behind the callers: the rows are durable in the state already, so the batch is released now and the ledger
        // insert overlaps the next state write. FlushUsageAsync waits for it when a reader needs the rows.
        _ = FlushOutboxAsync();
    }

    /// <inheritdoc />
    public async Task FlushUsageAsync()
    {
        await EnsureLoadedAsync();

        // A barrier: usage recorded before this call may still be on its way to storage; only stored rows may be sent.
        await (_commit.IsBusy ? _commit.WhenDurable() : Task.CompletedTask);
        await FlushOutboxAsync();
        var pending = _persistedOutbox;
        if (pending > 0)
        {
            throw new InvalidOperationException(
                $"Tenant '{Slug}': {pending} usage row(s) could not be written to the usage ledger yet ({_lastLedgerError ?? "no error recorded"}); they stay queued and are retried.");
        }
    }

    /// <summary>
    /// Sends the outbox rows that storage already holds to the ledger; rows stay in the outbox (and are retried) when
    /// it fails. Flushes run one at a time, and sent rows are removed by identity, so a row added meanwhile is never
    /// dropped unsent.
    /// </summary>
    private async Task FlushOutboxAsync()
    {
        var running = _flush = _flush.IsCompleted ? SendPersistedRowsAsync() : ChainFlush(_flush);
        await running;

        async Task ChainFlush(Task previous)
        {
            await previous;
            await SendPersistedRowsAsync();
        }
    }

    private async Task SendPersistedRowsAsync()
    {
        if (_persistedOutbox == 0)
        {
            return;
        }

        UsageRecord[] rows = [.. _live.Outbox.Take(_persistedOutbox)];

        try
        {
            await _ledger.RecordBatchAsync(rows);
        }
        catch (ArgumentException)
        {
            // A row the ledger refuses would block the outbox for good: send the rows one by one and drop (loudly)
            // only the refused ones.
            rows = await SendOneByOneAsync(rows);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _lastLedgerError = ex.Message;
            LogLedgerWriteFailed(ex, Slug, rows.Length);
            return;
        }

        // The trimmed outbox is persisted with the next write; until then a re-send is harmless.
        var sent = rows.ToHashSet(ReferenceEqualityComparer.Instance);
        var removed = _live.Outbox.RemoveAll(sent.Contains);
        _outboxRemoved += removed;
        _persistedOutbox = Math.Clamp(_persistedOutbox - removed, 0, _live.Outbox.Count);
    }

    /// <summary>Sends rows one at a time; returns the rows that are done with (recorded, or refused and logged).</summary>
    private async Task<UsageRecord[]> SendOneByOneAsync(UsageRecord[] rows)
    {
        var done = new List<UsageRecord>(rows.Length);
        foreach (var row in rows)
        {
            try
            {
                await _ledger.RecordAsync(row);
                done.Add(row);
            }
            catch (ArgumentException refused)
            {
                LogLedgerRowRefused(refused, Slug, row.RequestId);
                done.Add(row);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLedgerWriteFailed(ex, Slug, rows.Length - done.Count);
                break;
            }
        }

        return [.. done];
    }

    private Task OnWriteFailedAsync(Exception error)
    {
        LogWriteFailed(error, Slug);
        _cover.WriteFailed();
        return StartReload();
    }

    /// <summary>Starts re-reading the state unless a read is running.</summary>
    private Task StartReload()
    {
        if (_reload is { IsCompleted: false } running)
        {
            return running;
        }

        // A store that answers at once finishes the read (and clears _reload) before this assignment; a completed
        // task must not stay in _reload, or the next failure would not re-read.
        var reload = ReloadAsync();
        _reload = reload.IsCompletedSuccessfully ? null : reload;
        return reload;
    }

    private async Task ReloadAsync()
    {
        try
        {
            await _state.ReadStateAsync();
            AdoptStoredState();
            _rules = null;
            _reload = null;
        }
        catch (Exception ex)
        {
            // Leave _reload faulted: the next call retries the read instead of deciding on discarded state.
            LogReloadFailed(ex, Slug);
            throw;
        }
    }

    /// <summary>Makes what storage holds (read at activation or after a failed write) the state decisions are made on.</summary>
    private void AdoptStoredState()
    {
        _live = _state.State;
        _live.Account ??= new BudgetAccountState();
        _live.Outbox ??= [];
        _account = new BudgetAccount(_live.Account);
        _persistedOutbox = _live.Outbox.Count;
    }

    private Task EnsureLoadedAsync() => _reload is { IsFaulted: true } ? StartReload() : _reload ?? Task.CompletedTask;

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync();
        if (_account.ExpireStale(_time.GetUtcNow()) > 0 || _live.Outbox.Count > 0)
        {
            await _commit.WhenDurable();
        }
    }

    private void LogRecoveredCovers(BudgetAccountState state)
    {
        var covers = state.Reservations.Values.Where(r => r.Cover).ToList();
        if (covers.Count > 0)
        {
            LogCoversRecovered(Slug, covers.Count, covers.Sum(c => c.EstimatedCostUsd), covers.Max(c => c.ExpiresAt));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant}: the last activation stopped uncleanly; {Covers} cover(s) of ${CostUsd} stay held for calls that may still be in flight, until {ExpiresAt:o}")]
    private partial void LogCoversRecovered(string tenant, int covers, decimal costUsd, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {Tenant}: budget state write failed; the batch was refused and the state is re-read from storage")]
    private partial void LogWriteFailed(Exception error, string tenant);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {Tenant}: re-reading budget state failed; calls fail until storage answers")]
    private partial void LogReloadFailed(Exception error, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant}: {Rows} usage row(s) kept in the outbox; the usage ledger write failed and is retried")]
    private partial void LogLedgerWriteFailed(Exception error, string tenant, int rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {Tenant}: the usage ledger refused the row of request {RequestId}; it is dropped from the outbox (counters keep it; reconcile would remove it)")]
    private partial void LogLedgerRowRefused(Exception error, string tenant, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant}: {Counters} counter(s) differed from the usage ledger and were corrected")]
    private partial void LogReconciled(string tenant, int counters);
}
