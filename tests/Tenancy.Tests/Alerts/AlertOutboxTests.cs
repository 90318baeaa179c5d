using OrleansTenancy.Tenancy.Alerts;

namespace OrleansTenancy.Tenancy.Tests.Alerts;

public sealed class AlertOutboxTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly AlertRetryPolicy Policy = new(3, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
    private static readonly AlertWebhook Slack = Webhook("https://hooks.slack.com/services/T/B/SECRET", "slack");
    private static readonly AlertWebhook Json = Webhook("https://alerts.example.com/hook?token=SECRET", null);

    [Fact]
    public void An_alert_fires_once_per_key_with_one_pending_delivery_per_webhook_and_no_secret_stored()
    {
        var outbox = new AlertOutbox(new AlertOutboxState());

        Assert.True(outbox.Fire(Notice(80), [Slack, Json, Slack], Now));
        Assert.False(outbox.Fire(Notice(80) with { PercentUsed = 99m }, [Slack, Json], Now.AddMinutes(1)));
        Assert.True(outbox.Fire(Notice(100), [Slack], Now));

        Assert.Equal(2, outbox.State.Alerts.Count);
        var deliveries = outbox.State.Alerts[0].Deliveries;
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(AlertDeliveryStatus.Pending, d.Status));
        Assert.Equal(["https://hooks.slack.com/services/***", "https://alerts.example.com/hook?***"], deliveries.Select(d => d.Webhook));
        Assert.DoesNotContain("SECRET", System.Text.Json.JsonSerializer.Serialize(outbox.State), StringComparison.Ordinal);
        Assert.Equal(3, outbox.Due(Now).Count);
    }

    [Fact]
    public void A_failed_attempt_waits_its_backoff_and_the_last_failure_is_recorded_as_failed()
    {
        var outbox = new AlertOutbox(new AlertOutboxState());
        outbox.Fire(Notice(80), [Json], Now);
        var delivery = Assert.Single(outbox.Due(Now)).Delivery;

        AlertOutbox.Record(delivery, succeeded: false, "the receiver answered 500", Now, Policy);
        Assert.Empty(outbox.Due(Now.AddSeconds(9)));
        Assert.Equal(Now.AddSeconds(10), outbox.NextDue);
        AlertOutbox.Record(delivery, succeeded: false, "the receiver answered 502", Now.AddSeconds(10), Policy);
        Assert.Equal(AlertDeliveryStatus.Pending, delivery.Status);
        AlertOutbox.Record(delivery, succeeded: false, "no answer", Now.AddSeconds(30), Policy);

        Assert.Equal(AlertDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal("no answer", delivery.LastError);
        Assert.Null(outbox.NextDue);
        Assert.Empty(outbox.Due(Now.AddDays(1)));
    }

    [Fact]
    public void A_success_after_failures_is_delivered_and_trimming_drops_only_settled_alerts_oldest_first()
    {
        var outbox = new AlertOutbox(new AlertOutboxState());
        outbox.Fire(Notice(50), [Json], Now);
        outbox.Fire(Notice(80), [Json], Now);
        outbox.Fire(Notice(100), [Json], Now);
        var first = outbox.State.Alerts[0].Deliveries[0];
        AlertOutbox.Record(first, succeeded: false, "the receiver answered 503", Now, Policy);
        AlertOutbox.Record(first, succeeded: true, null, Now.AddSeconds(10), Policy);
        Assert.Equal(AlertDeliveryStatus.Delivered, first.Status);
        Assert.Null(first.LastError);

        outbox.Trim(1);

        // The first is settled and goes; the other two are pending and stay although that is more than one.
        Assert.Equal([Notice(80).Key, Notice(100).Key], outbox.State.Alerts.Select(a => a.Key));
    }

    [Fact]
    public void A_copy_shares_no_delivery_with_the_original()
    {
        var outbox = new AlertOutbox(new AlertOutboxState());
        outbox.Fire(Notice(80), [Json], Now);
        var copy = outbox.State.Copy();

        AlertOutbox.Record(outbox.State.Alerts[0].Deliveries[0], succeeded: true, null, Now, Policy);

        Assert.Equal(AlertDeliveryStatus.Pending, copy.Alerts[0].Deliveries[0].Status);
    }

    private static AlertNotice Notice(decimal threshold) => new("acme", null, "daily_cap_usd", 20261202, threshold, threshold + 1, 10m, Now);

    private static AlertWebhook Webhook(string url, string? format) =>
        AlertWebhook.TryCreate(url, format, out var webhook, out var error) ? webhook! : throw new InvalidOperationException(error);
}
