using Microsoft.Extensions.Options;
using OrleansTenancy.Tenancy.Alerts;

namespace OrleansTenancy.Grains.Alerts;

/// <summary>
/// What every tenant grain of a silo needs to deliver budget alerts: the sender, the retry policy, the history length
/// and the silo's own webhooks, read and checked once. One per silo, so an activation holds only a reference to it.
/// </summary>
public sealed class AlertDispatcher
{
    /// <summary>Creates the dispatcher from the sender and the validated <c>Alerts</c> settings.</summary>
    public AlertDispatcher(IAlertSender sender, IOptions<AlertDeliveryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(options);
        Sender = sender;
        var value = options.Value;
        RetryPolicy = value.RetryPolicy;
        HistoryLength = value.HistoryLength;
        SiloWebhooks = value.ParsedWebhooks();
    }

    /// <summary>Makes one delivery attempt.</summary>
    public IAlertSender Sender { get; }

    /// <summary>When a failed delivery is tried again, and when it is given up.</summary>
    public AlertRetryPolicy RetryPolicy { get; }

    /// <summary>How many fired alerts each tenant keeps (<see cref="AlertDeliveryOptions.HistoryLength"/>).</summary>
    public int HistoryLength { get; }

    /// <summary>The webhooks of the silo's settings, which receive every tenant's alerts.</summary>
    public IReadOnlyList<AlertWebhook> SiloWebhooks { get; }
}
