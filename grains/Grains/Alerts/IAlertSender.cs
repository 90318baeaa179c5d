using OrleansTenancy.Tenancy.Alerts;

namespace OrleansTenancy.Grains.Alerts;

/// <summary>
/// Delivers one budget alert to one webhook, once. Implemented at the silo's edge (HTTP); the tenant grain's outbox
/// decides when to call it again and records every outcome.
/// </summary>
public interface IAlertSender
{
    /// <summary>Sends <paramref name="notice"/> to <paramref name="webhook"/> and says whether the receiver took it.</summary>
    Task<AlertSendResult> SendAsync(AlertNotice notice, AlertWebhook webhook, CancellationToken cancellationToken);
}

/// <summary>The outcome of one delivery attempt.</summary>
/// <param name="Succeeded">Whether the receiver answered with success.</param>
/// <param name="Failure">Why not, when it did not (never containing the webhook's secret).</param>
public sealed record AlertSendResult(bool Succeeded, string? Failure)
{
    /// <summary>The receiver took the alert.</summary>
    public static AlertSendResult Delivered { get; } = new(true, null);

    /// <summary>The attempt failed for <paramref name="failure"/>.</summary>
    public static AlertSendResult Failed(string failure) => new(false, failure);
}
