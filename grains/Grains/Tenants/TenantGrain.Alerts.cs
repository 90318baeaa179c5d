using Microsoft.Extensions.Logging;
using OrleansTenancy.Grains.Alerts;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Alerts;
using OrleansTenancy.Tenancy.Budget;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants;

/// <summary>
/// Budget alerts that reach people: the thresholds the budget account fires go into an outbox in this grain's state
/// (<see cref="AlertOutbox"/>), and a timer of this activation hands the stored ones to the injected
/// <see cref="IAlertSender"/>.
/// </summary>
/// <remarks>
/// <para>
/// Why here: this grain is the single owner of the tenant's budget and already decides, once per threshold and period,
/// when one is crossed; the watermark that decided it and the alert it fired are written by the same storage write,
/// so what fired is never lost and never fires twice, whichever silo runs the activation and however often it restarts.
/// </para>
/// <para>
/// Never on the money path: a reserve or settle only adds the alert to the outbox (memory) and joins the write it makes
/// anyway. Delivery runs in the turns of a one-shot timer, armed only while a stored alert has a pending delivery, which interleave with calls (the grain is reentrant), and every attempt is
/// bounded by <see cref="AlertDeliveryOptions.AttemptTimeout"/>; a slow or failing receiver delays only its alerts.
/// </para>
/// <para>
/// At least once: an alert is sent only once storage holds it, and the outcome of each attempt is written afterwards.
/// A crash in between sends it again with the same idempotency key (<see cref="AlertNotice.Key"/>), which receivers can
/// use to drop the repeat. Failed attempts back off (<see cref="AlertRetryPolicy"/>) and, after the last, the delivery is
/// recorded as failed.
/// </para>
/// <para>
/// Nothing for a tenant that never fired: the outbox in the state stays <see langword="null"/> and the activation holds
/// no delivery bookkeeping (<see cref="AlertRun"/>) and no timer until an alert with a webhook fires, or storage holds
/// one still pending when the grain activates.
/// </para>
/// </remarks>
public sealed partial class TenantGrain
{
    private const string NoLongerConfigured = "the webhook is no longer configured";

    private static readonly AlertRetryPolicy NoRetry = new(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    // Created when this activation first has a delivery to make; an activation of a tenant that never fired holds none.
    private AlertRun? _alertRun;

    // This tenant's place on the alert wake list: what storage holds as far as this activation knows (null: unknown),
    // what it should hold, and whether an update is on its way (one at a time, so updates cannot overtake each other).
    private bool? _onWakeList;
    private bool _wantOnWakeList;
    private bool _updatingWakeList;

    /// <inheritdoc />
    public async Task<IReadOnlyList<Wire.FiredAlertView>> GetAlertsAsync()
    {
        await EnsureLoadedAsync();
        return _live.Alerts is { } outbox ? [.. outbox.Alerts.Select(ToView)] : [];
    }

    /// <summary>Adds the alerts a decision fired to the outbox; they are delivered once the write in progress stores them.</summary>
    private void QueueAlerts(IReadOnlyList<BudgetAlert> alerts)
    {
        if (alerts.Count == 0)
        {
            return;
        }

        // Without a sender in this silo nothing could deliver them: the alerts are recorded as fired, to no webhook.
        var webhooks = _alerts is null ? [] : AlertWebhooks();
        if (webhooks.Count > 0)
        {
            // Before the new alerts enter the outbox: every alert already in it is stored or has no delivery.
            RunForAlerts();
        }

        var outbox = new AlertOutbox(_live.Alerts ??= new AlertOutboxState());
        var now = _time.GetUtcNow();
        var added = false;
        foreach (var alert in alerts)
        {
            added |= outbox.Fire(Notice(alert, now), webhooks, now);
        }

        outbox.Trim(_alerts?.HistoryLength ?? new AlertDeliveryOptions().HistoryLength);
        if (added && webhooks.Count > 0)
        {
            // The decision's own write (or the next one) stores the alert; AlertsStored then starts its delivery.
            _ = StoreAlertsAsync();
        }
    }

    /// <summary>The delivery bookkeeping of this activation, created on first need with the stored alerts as sendable.</summary>
    private AlertRun RunForAlerts() => _alertRun ??= new AlertRun(_live.Alerts);

    /// <summary>
    /// After a read of the state (activation, or a re-read after a failed write): what storage holds may be sent, and a
    /// pass is scheduled for the next pending delivery. A tenant with nothing pending gets no bookkeeping and no timer.
    /// </summary>
    private void AdoptStoredAlerts()
    {
        if (_alertRun is { } run)
        {
            run.Adopt(_live.Alerts);
        }
        else if (_alerts is null || _live.Alerts is not { } stored)
        {
            return;
        }
        else if (new AlertOutbox(stored).NextDue is null)
        {
            // The tenant alone writes its entry: with nothing pending, it clears one a failed update left behind.
            KeepOnWakeList(false);
            return;
        }
        else
        {
            _alertRun = new AlertRun(stored);
        }

        ScheduleNextAlertDelivery();
    }

    /// <summary>Notes that a write stored these alerts: they may be sent now.</summary>
    private void AlertsStored(AlertOutboxState? stored)
    {
        if (_alertRun is not { } run || stored is null)
        {
            return;
        }

        var fresh = false;
        foreach (var alert in stored.Alerts)
        {
            fresh |= run.Stored.Add(alert.Key);
        }

        if (fresh)
        {
            KeepOnWakeList(true);
            ScheduleAlertDelivery(TimeSpan.Zero);
        }
    }

    private async Task StoreAlertsAsync()
    {
        try
        {
            await Commit.WhenDurable();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The callers of that write see the failure; the re-read state holds the alert or not, and the
            // watermark that fired it likewise.
        }
    }

    /// <summary>
    /// A pass of the delivery timer: sends the stored, due deliveries, records their outcomes and stores them, then arms
    /// the timer for the next one. Ticks of one timer never overlap, so one pass runs at a time.
    /// </summary>
    private async Task DeliverAlertsAsync()
    {
        try
        {
            await EnsureLoadedAsync();
            if (_alerts is not { } dispatcher || _alertRun is not { } run || _live.Alerts is not { } outbox)
            {
                return;
            }

            var due = new AlertOutbox(outbox).Due(_time.GetUtcNow()).Where(d => run.Stored.Contains(d.Alert.Key)).ToList();
            if (due.Count == 0)
            {
                return;
            }

            var webhooks = AlertWebhooks().ToDictionary(AlertOutbox.WebhookId, StringComparer.Ordinal);
            var results = await Task.WhenAll(due.Select(d => webhooks.TryGetValue(d.Delivery.WebhookId, out var webhook)
                ? dispatcher.Sender.SendAsync(d.Alert.Notice, webhook, CancellationToken.None)
                : Task.FromResult(AlertSendResult.Failed(NoLongerConfigured))));
            var at = _time.GetUtcNow();
            for (var i = 0; i < due.Count; i++)
            {
                var gone = results[i].Failure == NoLongerConfigured;
                AlertOutbox.Record(due[i].Delivery, results[i].Succeeded, results[i].Failure, at, gone ? NoRetry : dispatcher.RetryPolicy);
            }

            new AlertOutbox(outbox).Trim(dispatcher.HistoryLength);
            await Commit.WhenDurable();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAlertDeliveryStopped(ex, Slug);
        }
        finally
        {
            ScheduleNextAlertDelivery();
        }
    }

    /// <summary>Arms the timer for the next pending delivery of a stored alert, or stops it when none is left.</summary>
    private void ScheduleNextAlertDelivery()
    {
        if (_alertRun is not { } run)
        {
            return;
        }

        var next = _live.Alerts?.Alerts.Where(a => run.Stored.Contains(a.Key)).SelectMany(a => a.Deliveries)
            .Where(d => d.Status == AlertDeliveryStatus.Pending).Select(d => (DateTimeOffset?)d.NextAttemptAt).Min();
        KeepOnWakeList(next is not null);
        if (next is { } due)
        {
            ScheduleAlertDelivery(due - _time.GetUtcNow());
        }
        else
        {
            // Nothing pending: no timer, so the activation may be collected when idle.
            run.Timer?.Dispose();
            run.Timer = null;
        }
    }

    /// <summary>
    /// Puts this tenant on the alert wake list while it holds stored deliveries still pending, and takes it off when
    /// none is left, so that a silo starting after a restart wakes it (<see cref="AlertWakeUp"/>).
    /// </summary>
    private void KeepOnWakeList(bool pending)
    {
        _wantOnWakeList = pending;
        if (!_updatingWakeList && _onWakeList != pending)
        {
            _ = UpdateWakeListAsync();
        }
    }

    private async Task UpdateWakeListAsync()
    {
        _updatingWakeList = true;
        try
        {
            var list = GrainFactory.GetGrain<Wire.IAlertWakeListGrain>(Wire.AlertWakeList.Key);
            while (_onWakeList != _wantOnWakeList)
            {
                var want = _wantOnWakeList;
                await (want ? list.AddAsync(Slug) : list.RemoveAsync(Slug));
                _onWakeList = want;
            }
        }
        catch (Exception error)
        {
            // Tried again at the next change; until then a restart leaves this tenant's deliveries to its next call.
            _onWakeList = null;
            LogWakeListFailed(error, Slug);
        }
        finally
        {
            _updatingWakeList = false;
        }
    }

    /// <summary>Runs a delivery pass after <paramref name="delay"/> (replacing any pass already scheduled).</summary>
    private void ScheduleAlertDelivery(TimeSpan delay)
    {
        if (_alerts is null || _stopping || _alertRun is not { } run)
        {
            return;
        }

        var dueTime = delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        if (run.Timer is { } timer)
        {
            timer.Change(dueTime, Timeout.InfiniteTimeSpan);
            return;
        }

        // Keeps the activation alive while a delivery is pending, so its retries are not lost to idle collection.
        run.Timer = this.RegisterGrainTimer(
            static (grain, _) => grain.DeliverAlertsAsync(),
            this,
            new GrainTimerCreationOptions(dueTime, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
    }

    /// <summary>Where this tenant's alerts go: its own webhooks, <c>_global.yaml</c>'s and the silo's settings', each once.</summary>
    private List<AlertWebhook> AlertWebhooks()
    {
        var registry = _registry.Current;
        return [.. (registry.Find(Slug)?.AlertWebhooks ?? [])
            .Concat(registry.Global.AlertWebhooks)
            .Concat(_alerts?.SiloWebhooks ?? [])
            .DistinctBy(AlertOutbox.WebhookId)];
    }

    private AlertNotice Notice(BudgetAlert alert, DateTimeOffset now) => new(
        Slug, alert.Workspace, BudgetLimitNames.Of(alert.Metric, alert.Period), alert.PeriodKey,
        alert.ThresholdPercent, alert.PercentUsed, alert.Limit, now);

    private static Wire.FiredAlertView ToView(FiredAlert alert) => new()
    {
        Key = alert.Key,
        Workspace = alert.Notice.Workspace,
        Limit = alert.Notice.Limit,
        PeriodKey = alert.Notice.PeriodKey,
        ThresholdPercent = alert.Notice.ThresholdPercent,
        PercentUsed = alert.Notice.PercentUsed,
        FiredAt = alert.Notice.FiredAt,
        Deliveries = [.. alert.Deliveries.Select(d => new Wire.AlertDeliveryView
        {
            Webhook = d.Webhook,
            Format = d.Format.ToString().ToLowerInvariant(),
            Status = d.Status.ToString().ToLowerInvariant(),
            Attempts = d.Attempts,
            LastAttemptAt = d.LastAttemptAt,
            NextAttemptAt = d.Status == AlertDeliveryStatus.Pending ? d.NextAttemptAt : null,
            LastError = d.LastError,
        })],
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant}: a budget alert delivery pass stopped; pending deliveries are retried at their next attempt")]
    private partial void LogAlertDeliveryStopped(Exception error, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {Tenant}: the alert wake list could not be updated; it is tried again at the next delivery change")]
    private partial void LogWakeListFailed(Exception error, string tenant);

    /// <summary>An activation's delivery bookkeeping: which alerts storage holds, and the timer of the next pass.</summary>
    private sealed class AlertRun
    {
        public AlertRun(AlertOutboxState? stored) => Adopt(stored);

        /// <summary>Keys of the alerts storage holds (read at activation or written since): only these are sent.</summary>
        public HashSet<string> Stored { get; } = new(StringComparer.Ordinal);

        /// <summary>The one-shot timer of the next delivery pass, while a stored alert has a pending delivery.</summary>
        public IGrainTimer? Timer { get; set; }

        /// <summary>Makes what storage holds, and only that, sendable (after a read of the state).</summary>
        public void Adopt(AlertOutboxState? stored)
        {
            Stored.Clear();
            Stored.UnionWith(stored?.Alerts.Select(a => a.Key) ?? []);
        }
    }
}
