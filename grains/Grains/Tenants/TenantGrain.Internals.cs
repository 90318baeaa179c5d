using Microsoft.Extensions.Logging;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants;

public sealed partial class TenantGrain
{
    /// <inheritdoc />
    /// <remarks>
    /// The ledger is read in the outbox's turn (<see cref="InOutboxTurnAsync"/>), so no row of this tenant reaches it
    /// meanwhile: what it returns is what the counters held when the read began, less the rows then still queued for it,
    /// unless the two drifted apart. The grain is reentrant, so settles keep raising the counters while the ledger is
    /// read; only the drift is applied, to the counters as they are when the read ends, and that usage is kept.
    /// </remarks>
    public async Task<Wire.ReconcileReport> ReconcileAsync()
    {
        await EnsureLoadedAsync();

        // Every settle received before is stored (and its row queued) before the ledger is compared with the counters.
        await Commit.WhenDurable();
        List<(string? Workspace, BudgetPeriod Period, int Key, SpentFigures Expected, SpentFigures Ledger)> read = [];
        await InOutboxTurnAsync(async () => read = await ReadLedgerAsync());
        await EnsureLoadedAsync();

        var lines = new List<Wire.ReconciledCounter>(read.Count);
        foreach (var (workspace, period, key, expected, ledger) in read)
        {
            var before = _account.GetSpent(workspace, period, key);
            var drift = ledger - expected;
            _account.AdjustSpent(workspace, period, key, drift);
            var after = before + drift;
            lines.Add(new Wire.ReconciledCounter(
                workspace, period == BudgetPeriod.Day ? "day" : "month", key,
                before.CostUsd, after.CostUsd, before.Tokens, after.Tokens, before.Executions, after.Executions));
        }

        await Commit.WhenDurable();
        var report = new Wire.ReconcileReport([.. lines]);
        if (report.Changed)
        {
            LogReconciled(Slug, lines.Count(l => l.Changed));
        }

        return report;
    }

    /// <summary>
    /// Reads the ledger's totals of the current day and month, tenant-wide and per workspace, each with what the counter
    /// held when the read began less the rows then queued that the ledger does not hold (what it should answer). Runs in
    /// the outbox's turn; the expected figures are taken in one synchronous stretch, before the first read.
    /// </summary>
    /// <remarks>
    /// Only rows the ledger does not hold may be taken out of the counters, and the outbox may list rows it holds
    /// already: a re-read of the state brings back rows sent since the last write, and a send that failed may still have
    /// been committed. So the stored rows are sent first (the ledger keeps one row per request id), and the charged rows
    /// still listed after that are looked up; no row reaches the ledger meanwhile, since this runs in the outbox's turn.
    /// </remarks>
    private async Task<List<(string? Workspace, BudgetPeriod Period, int Key, SpentFigures Expected, SpentFigures Ledger)>> ReadLedgerAsync()
    {
        await EnsureLoadedAsync();
        var reloads = _reloads;

        // A send that fails leaves its rows listed; the lookups below tell which of them the ledger holds all the same.
        await SendPersistedRowsAsync();
        var held = new HashSet<UsageRecord>(ReferenceEqualityComparer.Instance);
        foreach (var row in _live.Outbox.ToArray())
        {
            if (UsageStatus.IsCharged(row.Status) && await _ledger.IsSettledAsync(Slug, row.RequestId))
            {
                held.Add(row);
            }
        }

        if (_reloads != reloads)
        {
            throw new InvalidOperationException(
                $"Tenant '{Slug}': the budget state was re-read from storage while the usage ledger was compared with it; reconcile again.");
        }

        var expected = new List<(string? Workspace, BudgetPeriod Period, PeriodWindow Window, SpentFigures Expected)>();
        var rules = Rules();
        var now = _time.GetUtcNow();
        var windows = new[] { (BudgetPeriod.Day, BudgetCalendar.Day(now, rules.TimeZone)), (BudgetPeriod.Month, BudgetCalendar.Month(now, rules.TimeZone)) };
        foreach (var workspace in _account.State.Workspaces.Keys.Prepend(null))
        {
            foreach (var (period, window) in windows)
            {
                var queued = default(SpentFigures);
                foreach (var row in _live.Outbox)
                {
                    if (!held.Contains(row) && (workspace is null || row.Workspace == workspace) && row.CreatedAt >= window.Start && row.CreatedAt < window.End)
                    {
                        queued += new SpentFigures(row.CostUsd, row.TokensIn + row.TokensOut, UsageStatus.IsCharged(row.Status) ? 1 : 0);
                    }
                }

                expected.Add((workspace, period, window, _account.GetSpent(workspace, period, window.Key) - queued));
            }
        }

        var read = new List<(string?, BudgetPeriod, int, SpentFigures, SpentFigures)>(expected.Count);
        foreach (var (workspace, period, window, figures) in expected)
        {
            var totals = await _ledger.GetTotalsAsync(Slug, workspace, window.Start, window.End);
            read.Add((workspace, period, window.Key, figures, new SpentFigures(totals.CostUsd, totals.TokensIn + totals.TokensOut, totals.Executions)));
        }

        return read;
    }

    /// <summary>
    /// Publishes <c>tenant_budget_remaining_usd</c> and <c>tenant_budget_limit_usd</c> {tenant,workspace,period} for every
    /// cost limit: the tenant-wide ones (<c>workspace="*"</c>) and each workspace sub-cap.
    /// </summary>
    private void PublishRemaining()
    {
        if (_metrics is null)
        {
            return;
        }

        foreach (var limit in _account.GetStatus(Rules(), _time.GetUtcNow()).Limits)
        {
            if (limit.Metric == BudgetMetric.CostUsd)
            {
                var workspace = limit.Workspace ?? LlmMetrics.TenantWide;
                var period = limit.Period == BudgetPeriod.Day ? "day" : "month";
                _metrics.SetBudgetRemaining(Slug, workspace, period, limit.Remaining);
                _metrics.SetBudgetLimit(Slug, workspace, period, limit.Limit);
            }
        }
    }

    /// <summary>
    /// Announces the thresholds a decision crossed, reserve and settle alike (a settlement that costs more than its
    /// estimate crosses thresholds of its own): a warning in the log and <c>tenant_budget_alerts_total</c>.
    /// </summary>
    private void Announce(IReadOnlyList<BudgetAlert> alerts)
    {
        foreach (var alert in alerts)
        {
            var limit = BudgetLimitNames.Of(alert.Metric, alert.Period);
            LogBudgetAlert(Slug, alert.Workspace ?? LlmMetrics.TenantWide, limit, alert.ThresholdPercent, alert.PercentUsed);
            _metrics?.RecordBudgetAlert(Slug, alert.Workspace ?? LlmMetrics.TenantWide, limit, alert.ThresholdPercent);
        }

        QueueAlerts(alerts);
    }

    /// <summary>
    /// Whether a request the account does not know (not open, not recently finished — e.g. after a reactivation) was
    /// settled before: its charged row is waiting in the outbox or recorded in the ledger. Only unknown ids pay the
    /// lookup; a released attempt's row does not count, so its retry may run.
    /// </summary>
    private async Task<bool> SettledBeforeAsync(string requestId)
    {
        if (_account.Knows(requestId))
        {
            return false;
        }

        if (_live.Outbox.Exists(r => UsageStatus.IsCharged(r.Status) && string.Equals(r.RequestId, requestId, StringComparison.Ordinal)))
        {
            return true;
        }

        return await _ledger.IsSettledAsync(Slug, requestId);
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

        var rules = registry.GetBudgetRules(Slug, overrides);
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
        var covers = Cover.Place(_account, RulesIfKnown(), _time.GetUtcNow(), none: _stopping);
        TenantGrainState snapshot;
        try
        {
            snapshot = new TenantGrainState { Account = _account.State.Copy(), Override = _live.Override, Outbox = [.. _live.Outbox], Alerts = _live.Alerts?.Copy() };
        }
        finally
        {
            ReservationCover.Remove(_account, covers);
        }

        var removedAtSnapshot = _outboxRemoved;
        _state.State = snapshot;
        await _state.WriteStateAsync();

        Cover.Written(covers);
        AlertsStored(snapshot.Alerts);
        // The write holds the first rows of the outbox as it was; a flush running meanwhile may have removed some of
        // them (always from the front), so only the rest of that prefix is newly known to be durable.
        var persistedNow = snapshot.Outbox.Count - (int)(_outboxRemoved - removedAtSnapshot);
        _persistedOutbox = Math.Min(Math.Max(_persistedOutbox, persistedNow), _live.Outbox.Count);
        PublishRemaining();
        ArmMaintenance();

        // Behind the callers: the rows are durable in the state already, so the batch is released now and the ledger
        // insert overlaps the next state write. FlushUsageAsync waits for it when a reader needs the rows.
        _ = FlushOutboxAsync();
    }

    /// <inheritdoc />
    public async Task FlushUsageAsync()
    {
        await EnsureLoadedAsync();

        // The rows of every settle and release received before this call are in the outbox now (each is queued in the
        // same turn as its decision); rows queued later are not waited for. Rows leave the outbox from the front only,
        // so the queued ones are gone once that many more rows have left it.
        var sentOnceQueuedAreGone = _outboxRemoved + _live.Outbox.Count;
        var reloads = _reloads;

        // A barrier: only stored rows may be sent, and the queued rows may still be on their way to storage.
        await (CommitBusy ? Commit.WhenDurable() : Task.CompletedTask);

        // This turn sends the queued rows only. A turn queued before it may send them first, together with rows stored
        // since, in a send that takes long: the flush is done once the queued rows are gone, whichever turn sent them.
        var turn = InOutboxTurnAsync(() => SendPersistedRowsAsync(reloads == _reloads ? sentOnceQueuedAreGone - _outboxRemoved : null));
        while (!turn.IsCompleted && reloads == _reloads && _outboxRemoved < sentOnceQueuedAreGone)
        {
            await Task.WhenAny(turn, (_rowsSent ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task);
        }

        if (reloads != _reloads)
        {
            await turn;
        }

        // A re-read of the state replaces the outbox with what storage holds; then every stored row counts.
        var pending = reloads == _reloads ? (int)Math.Max(0, sentOnceQueuedAreGone - _outboxRemoved) : _persistedOutbox;
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
    private Task FlushOutboxAsync() => InOutboxTurnAsync(() => SendPersistedRowsAsync());

    /// <summary>
    /// Runs <paramref name="work"/> after the outbox work already queued and before any queued after it: while it runs,
    /// no row reaches the ledger. The turn passes on whether <paramref name="work"/> succeeds or fails.
    /// </summary>
    private Task InOutboxTurnAsync(Func<Task> work)
    {
        var run = _flush.IsCompleted ? work() : AfterAsync(_flush, work);
        _flush = PassedOnAsync(run);
        return run;

        static async Task AfterAsync(Task previous, Func<Task> work)
        {
            await previous;
            await work();
        }

        static async Task PassedOnAsync(Task run) => await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    /// <summary>Sends the stored rows from the front of the outbox, at most <paramref name="atMost"/> of them (all when <see langword="null"/>).</summary>
    /// <param name="atMost">How many rows from the front of the outbox may be sent.</param>
    private async Task SendPersistedRowsAsync(long? atMost = null)
    {
        var count = atMost is { } limit ? (int)Math.Clamp(limit, 0, _persistedOutbox) : _persistedOutbox;
        if (count == 0)
        {
            return;
        }

        UsageRecord[] rows = [.. _live.Outbox.Take(count)];

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
        if (_rowsSent is { } flushWaiting)
        {
            _rowsSent = null;
            flushWaiting.TrySetResult();
        }
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
        _covers?.WriteFailed();
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
            ArmMaintenance();
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
        _account = new BudgetAccount(_live.Account, rate: _rate);
        _persistedOutbox = _live.Outbox.Count;
        _reloads++;
        AdoptStoredAlerts();
    }

    /// <summary>
    /// Waits until the state decisions are made on is what storage holds: no re-read running or failed. A caller resumes
    /// in a later turn, in which another failed write may have started a re-read, so it asks again until none is left.
    /// </summary>
    private async Task EnsureLoadedAsync()
    {
        while (_reload is { } reload)
        {
            await (reload.IsFaulted ? StartReload() : reload);
        }
    }

    /// <summary>Starts the maintenance timer if there is something for it to sweep or send and it is not running.</summary>
    private void ArmMaintenance()
    {
        if (_maintenance is null && !_stopping && (_account.State.Reservations.Count > 0 || _live.Outbox.Count > 0))
        {
            _maintenance = this.RegisterGrainTimer(MaintainAsync, MaintenancePeriod, MaintenancePeriod);
        }
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync();
        if (_account.ExpireStale(_time.GetUtcNow()) > 0 || _live.Outbox.Count > 0)
        {
            await Commit.WhenDurable();
        }

        // Nothing left to expire or send: the timer stops until a grant or a write leaves something again.
        if (_reload is null && !CommitBusy && _account.State.Reservations.Count == 0 && _live.Outbox.Count == 0)
        {
            _maintenance?.Dispose();
            _maintenance = null;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Budget alert for tenant {Tenant} (workspace {Workspace}): {Limit} crossed {Threshold}% ({Percent}% used)")]
    private partial void LogBudgetAlert(string tenant, string workspace, string limit, decimal threshold, decimal percent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant}: {Counters} counter(s) differed from the usage ledger and were corrected")]
    private partial void LogReconciled(string tenant, int counters);
}
