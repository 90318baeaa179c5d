using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansTenancy.Tenancy.Alerts;

/// <summary>The request bodies of alert webhooks, one shape per <see cref="WebhookFormat"/>.</summary>
public static class AlertPayloads
{
    /// <summary>The header carrying <see cref="AlertNotice.Key"/> on every delivery, whatever the body's shape.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>The JSON body of <paramref name="notice"/> for a receiver that expects <paramref name="format"/>.</summary>
    public static string Render(AlertNotice notice, WebhookFormat format)
    {
        ArgumentNullException.ThrowIfNull(notice);
        JsonObject body = format switch
        {
            // Slack incoming webhooks post "text" to their channel.
            WebhookFormat.Slack => new JsonObject { ["text"] = notice.Summary },
            // Discord posts "content"; mentions are switched off so a tenant name never pings anyone.
            WebhookFormat.Discord => new JsonObject
            {
                ["content"] = notice.Summary,
                ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
            },
            _ => new JsonObject
            {
                ["type"] = "budget_alert",
                ["idempotency_key"] = notice.Key,
                ["tenant"] = notice.Tenant,
                ["workspace"] = notice.Workspace,
                ["limit"] = notice.Limit,
                ["period"] = notice.PeriodKey,
                ["threshold_percent"] = notice.ThresholdPercent,
                ["percent_used"] = notice.PercentUsed,
                ["limit_value"] = notice.LimitValue,
                ["fired_at"] = notice.FiredAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["text"] = notice.Summary,
            },
        };
        return body.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
