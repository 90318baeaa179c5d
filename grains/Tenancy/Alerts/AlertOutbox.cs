using System.Security.Cryptography;
using System.Text;

namespace OrleansTenancy.Tenancy.Alerts;

/// <summary>
/// The fired budget alerts of one tenant and their delivery to each webhook: a transactional outbox kept in the tenant
/// grain's persisted state, beside the budget watermarks that decide when a threshold fires.
/// </summary>
/// <remarks>
/// <para>
/// <b>Once per threshold and period.</b> The budget account fires a threshold once (its watermark), and the outbox
/// keys every alert by <see cref="AlertNotice.Key"/> (tenant, workspace, limit, period, threshold): a second fire of a
/// known key is ignored, so neither a re-decision nor a second silo's activation makes a second alert.
/// </para>
/// <para>
/// <b>Fired, then delivered.</b> An alert enters the outbox in the same state as the watermark that fired it, so one
/// storage write holds both or neither. Deliveries are attempted only for alerts storage holds, and each outcome is
/// written back; a crash between a delivery and the write of its outcome sends it again (at least once), with the same
/// idempotency key for the receiver to drop the repeat.
/// </para>
/// <para>
/// <b>No secrets stored.</b> A delivery names its webhook by <see cref="WebhookId"/> (a hash of the address) and its
/// redacted address; the address itself is looked up in the configuration when it is sent.
/// </para>
/// </remarks>
public sealed class AlertOutbox(AlertOutboxState state)
{
    /// <summary>The state this outbox reads and changes.</summary>
    public AlertOutboxState State { get; } = state;

    /// <summary>A stable, non-secret identity of a webhook address.</summary>
    public static string WebhookId(AlertWebhook webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(webhook.Url.AbsoluteUri)))[..16];
    }

    /// <summary>
    /// Records a fired alert with one pending delivery per webhook (none when no webhook is configured: it is still
    /// recorded as fired). Returns <see langword="false"/> when the alert's key is already known.
    /// </summary>
    public bool Fire(AlertNotice notice, IReadOnlyList<AlertWebhook> webhooks, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(webhooks);
        var key = notice.Key;
        if (State.Alerts.Exists(a => a.Key == key))
        {
            return false;
        }

        State.Alerts.Add(new FiredAlert
        {
            Key = key,
            Notice = notice,
            Deliveries = [.. webhooks.DistinctBy(WebhookId).Select(w => new AlertDelivery
            {
                WebhookId = WebhookId(w),
                Webhook = w.Redacted,
                Format = w.Format,
                Status = AlertDeliveryStatus.Pending,
                NextAttemptAt = now,
            })],
        });
        return true;
    }

    /// <summary>Pending deliveries whose next attempt is due at <paramref name="now"/>, oldest alert first.</summary>
    public IReadOnlyList<(FiredAlert Alert, AlertDelivery Delivery)> Due(DateTimeOffset now) =>
        [.. State.Alerts.SelectMany(a => a.Deliveries.Where(d => d.Status == AlertDeliveryStatus.Pending && d.NextAttemptAt <= now).Select(d => (a, d)))];

    /// <summary>When the next pending delivery falls due, or <see langword="null"/> when none is pending.</summary>
    public DateTimeOffset? NextDue =>
        State.Alerts.SelectMany(a => a.Deliveries).Where(d => d.Status == AlertDeliveryStatus.Pending).Select(d => (DateTimeOffset?)d.NextAttemptAt).Min();

    /// <summary>Records the outcome of one attempt: delivered, pending again after a backoff, or failed for good.</summary>
    public static void Record(AlertDelivery delivery, bool succeeded, string? failure, DateTimeOffset at, AlertRetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(policy);
        delivery.Attempts++;
        delivery.LastAttemptAt = at;
        if (succeeded)
        {
            delivery.Status = AlertDeliveryStatus.Delivered;
            delivery.LastError = null;
            return;
        }

        delivery.LastError = failure;
        if (policy.NextAttempt(delivery.Attempts, at) is { } next)
        {
            delivery.NextAttemptAt = next;
        }
        else
        {
            delivery.Status = AlertDeliveryStatus.Failed;
        }
    }

    /// <summary>
    /// Keeps at most <paramref name="historyLength"/> alerts: the oldest ones whose deliveries are all settled go
    /// first. An alert of the current period stays as long as its key may fire again, so it is never dropped while it
    /// could be duplicated; the budget watermark guards the rest.
    /// </summary>
    public void Trim(int historyLength)
    {
        var excess = State.Alerts.Count - historyLength;
        for (var i = 0; i < State.Alerts.Count && excess > 0;)
        {
            if (State.Alerts[i].Deliveries.TrueForAll(d => d.Status != AlertDeliveryStatus.Pending))
            {
                State.Alerts.RemoveAt(i);
                excess--;
            }
            else
            {
                i++;
            }
        }
    }
}

/// <summary>The persisted outbox of one tenant's alerts.</summary>
public sealed class AlertOutboxState
{
    /// <summary>Fired alerts, oldest first.</summary>
    public List<FiredAlert> Alerts { get; set; } = [];

    /// <summary>A deep copy (the grain writes copies while it keeps deciding on the original).</summary>
    public AlertOutboxState Copy() => new()
    {
        Alerts = [.. Alerts.Select(a => new FiredAlert
        {
            Key = a.Key,
            Notice = a.Notice,
            Deliveries = [.. a.Deliveries.Select(d => d with { })],
        })],
    };
}

/// <summary>One alert that fired, with its deliveries.</summary>
public sealed class FiredAlert
{
    /// <summary>The idempotency key (<see cref="AlertNotice.Key"/>).</summary>
    public string Key { get; set; } = "";

    /// <summary>What fired.</summary>
    public AlertNotice Notice { get; set; } = null!;

    /// <summary>One per webhook configured when it fired.</summary>
    public List<AlertDelivery> Deliveries { get; set; } = [];
}

/// <summary>Where a delivery stands.</summary>
public enum AlertDeliveryStatus
{
    /// <summary>Not delivered yet; another attempt is due at <see cref="AlertDelivery.NextAttemptAt"/>.</summary>
    Pending,

    /// <summary>The receiver took it.</summary>
    Delivered,

    /// <summary>Every attempt failed; no more are made.</summary>
    Failed,
}

/// <summary>The delivery of one alert to one webhook.</summary>
public sealed record AlertDelivery
{
    /// <summary>The webhook's identity (<see cref="AlertOutbox.WebhookId"/>), matched against the configuration when sent.</summary>
    public string WebhookId { get; set; } = "";

    /// <summary>The webhook's redacted address, for people.</summary>
    public string Webhook { get; set; } = "";

    /// <summary>The body shape sent.</summary>
    public WebhookFormat Format { get; set; }

    /// <summary>Where it stands.</summary>
    public AlertDeliveryStatus Status { get; set; }

    /// <summary>Attempts made.</summary>
    public int Attempts { get; set; }

    /// <summary>When the last attempt ended.</summary>
    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>When the next attempt is due (while pending).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Why the last attempt failed (redacted), if it did.</summary>
    public string? LastError { get; set; }
}
