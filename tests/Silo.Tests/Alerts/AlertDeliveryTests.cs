using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Silo.Tests.Gateway;

namespace OrleansTenancy.Silo.Tests.Alerts;

/// <summary>
/// Budget alerts through the real silo: thresholds crossed by real calls reach local webhook receivers once, survive a
/// restart without a second delivery, are retried with backoff, are recorded as failed when a receiver never answers,
/// and never hold up a call. The dashboard's overview shows each delivery.
/// </summary>
public sealed class AlertDeliveryTests
{
    private const string Secret = "T0SECRET/B0SECRET/hookSECRET";

    [Fact]
    public async Task Each_crossed_threshold_is_delivered_once_and_a_restart_sends_none_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await GatewayHost.StartAsync(settings: Settings(("0", receiver.Url($"hooks/{Secret}"), "json")));

        // Soft, with a cap far below one call's cost: the next call crosses 50, 80 and 100 % of the daily cap at once.
        await PutBudgetAsync(host, """{"daily_cap_usd": 0.0000001, "enforcement": "soft"}""");
        await ChatAsync(host);
        await receiver.WaitForAsync(3);
        await ChatAsync(host); // crosses nothing new
        var day = DeliveredKeys(receiver)[0].Split('/')[3];
        Assert.Equal([$"acme/*/daily_cap_usd/{day}/100", $"acme/*/daily_cap_usd/{day}/50", $"acme/*/daily_cap_usd/{day}/80"], DeliveredKeys(receiver).Order(StringComparer.Ordinal));
        await OverviewAsync(host, alerts => alerts.Count(a => Delivery(a).GetProperty("status").GetString() == "delivered") == 3, "three delivered alerts");

        await host.RestartAsync();

        // After the restart a new threshold (the monthly cap) fires: its deliveries come in the same passes as any
        // repeat of the daily ones would, so once they are in, a repeat would have shown.
        await PutBudgetAsync(host, """{"daily_cap_usd": 0.0000001, "monthly_cap_usd": 0.0000002, "enforcement": "soft"}""");
        await ChatAsync(host);
        await receiver.WaitForAsync(6);
        await OverviewAsync(host, alerts => alerts.Count(a => Delivery(a).GetProperty("status").GetString() == "delivered") == 6, "six delivered alerts");
        Assert.Equal(6, receiver.Received.Count);
        Assert.Equal(6, DeliveredKeys(receiver).Distinct().Count());
        Assert.All(receiver.Received, r => Assert.Equal(r.IdempotencyKey, JsonDocument.Parse(r.Body).RootElement.GetProperty("idempotency_key").GetString()));
    }

    [Fact]
    public async Task Deliveries_pending_when_the_silo_stops_are_made_after_it_starts_again_with_no_call_to_the_tenant()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailNext(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable);
        await using var host = await GatewayHost.StartAsync(settings: new Dictionary<string, string>(Settings(("0", receiver.Url($"hooks/{Secret}"), "json")))
        {
            // Long enough that the silo stopping cannot have made the retries itself.
            ["Alerts:FirstRetryDelay"] = "00:00:08",
            ["Alerts:MaxRetryDelay"] = "00:00:08",
        });
        await PutBudgetAsync(host, """{"daily_cap_usd": 0.0000001, "enforcement": "soft"}""");
        await ChatAsync(host);
        await receiver.WaitForAsync(3);

        // Counted while no silo runs: the restarted one may find the retries due as it starts, before RestartAsync returns.
        var beforeRetries = -1;
        await host.RestartAsync(whileStopped: () =>
        {
            beforeRetries = receiver.Received.Count;
            return Task.CompletedTask;
        });

        // Nothing calls acme after the restart: the silo wakes it because its deliveries were pending.
        await receiver.WaitForAsync(6, TimeSpan.FromSeconds(40));
        Assert.Equal(3, beforeRetries);
        Assert.Equal(3, DeliveredKeys(receiver).Skip(3).Distinct().Count());
        Assert.Equal(DeliveredKeys(receiver).Take(3).Order(StringComparer.Ordinal), DeliveredKeys(receiver).Skip(3).Order(StringComparer.Ordinal));

        // With nothing left pending, acme leaves the wake list: the next start wakes no one.
        await OverviewAsync(host, alerts => alerts.Length == 3 && alerts.All(a => Delivery(a).GetProperty("status").GetString() == "delivered"), "three delivered alerts");
        var wakeList = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertWakeListGrain>(AlertWakeList.Key);
        IReadOnlyList<string> listed = [];
        await Eventually.UntilAsync(async () => (listed = await wakeList.ListAsync()).Count == 0, () => $"an empty alert wake list; listed: {string.Join(", ", listed)}");
    }

    [Fact]
    public async Task A_receiver_failing_twice_gets_each_alert_and_one_that_never_answers_is_recorded_as_failed_without_holding_up_calls()
    {
        await using var flaky = await WebhookReceiver.StartAsync();
        await using var silent = await WebhookReceiver.StartAsync();
        flaky.FailNext(HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway);
        silent.Close();
        await using var host = await GatewayHost.StartAsync(settings: new Dictionary<string, string>(Settings(
            ("0", flaky.Url($"flaky/{Secret}"), "slack"),
            ("1", silent.Url($"silent/{Secret}"), "discord")))
        {
            ["Alerts:MaxAttempts"] = "3",
            ["Alerts:FirstRetryDelay"] = "00:00:00.050",
            ["Alerts:MaxRetryDelay"] = "00:00:00.100",
            ["Alerts:AttemptTimeout"] = "00:00:01",
        });

        await PutBudgetAsync(host, """{"daily_cap_usd": 0.0000001, "enforcement": "soft"}""");
        await ChatAsync(host);

        // The silent receiver holds every delivery; calls go on meanwhile.
        await silent.WaitForAsync(1);
        await ChatAsync(host);
        Assert.True(silent.Received.Count < 9, "every delivery to the silent receiver was already given up before the second call returned");

        // Three alerts: two attempts refused, then all delivered (three plus the two retries).
        await flaky.WaitForAsync(5);
        var overview = await OverviewAsync(host, alerts => alerts.Length == 3 && alerts.All(a =>
            a.GetProperty("deliveries").EnumerateArray().Any(d => d.GetProperty("format").GetString() == "slack" && d.GetProperty("status").GetString() == "delivered")
            && a.GetProperty("deliveries").EnumerateArray().Any(d => d.GetProperty("format").GetString() == "discord" && d.GetProperty("status").GetString() == "failed")),
            "every alert delivered to the flaky receiver and failed at the silent one");
        var deliveries = overview.SelectMany(a => a.GetProperty("deliveries").EnumerateArray()).ToList();
        Assert.Equal(5, deliveries.Where(d => d.GetProperty("format").GetString() == "slack").Sum(d => d.GetProperty("attempts").GetInt32()));
        Assert.All(deliveries.Where(d => d.GetProperty("format").GetString() == "discord"), d =>
        {
            Assert.Equal(3, d.GetProperty("attempts").GetInt32());
            Assert.Equal("no answer within 1 s", d.GetProperty("last_error").GetString());
        });
        Assert.Equal(5, flaky.Received.Count);

        // The silo's record above is what counts attempts: an attempt can time out before the receiver has read its
        // request (a loaded machine), so the receiver may see fewer, but never more than three per alert.
        Assert.All(silent.Received.GroupBy(r => r.IdempotencyKey), attempts => Assert.InRange(attempts.Count(), 1, 3));
        Assert.Equal(3, silent.Received.Select(r => r.IdempotencyKey).Distinct().Count());
        Assert.All(deliveries, d => Assert.DoesNotContain("SECRET", d.GetRawText(), StringComparison.Ordinal));
    }

    private static Dictionary<string, string> Settings(params (string Index, string Url, string Format)[] webhooks)
    {
        var settings = new Dictionary<string, string>();
        foreach (var (index, url, format) in webhooks)
        {
            settings[$"Alerts:Webhooks:{index}:Url"] = url;
            settings[$"Alerts:Webhooks:{index}:Format"] = format;
        }

        return settings;
    }

    private static async Task PutBudgetAsync(GatewayHost host, string json)
    {
        using var admin = host.CreateAdminClient();
        using var response = await admin.PutAsync(new Uri("/admin/tenants/acme/budget", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"PUT budget answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task ChatAsync(GatewayHost host)
    {
        var completion = await host.OpenAiChat(host.StaffKey).CompleteChatAsync([new UserChatMessage("What is on the agenda?")]);
        Assert.NotNull(completion.Value);
    }

    private static List<string> DeliveredKeys(WebhookReceiver receiver) => [.. receiver.Received.Select(r => r.IdempotencyKey)];

    private static JsonElement Delivery(JsonElement alert) => alert.GetProperty("deliveries").EnumerateArray().Single();

    /// <summary>Reads the dashboard's overview until its alerts satisfy <paramref name="done"/> (the outcome of a delivery is stored just after it).</summary>
    private static async Task<JsonElement[]> OverviewAsync(GatewayHost host, Func<JsonElement[], bool> done, string what)
    {
        using var admin = host.CreateAdminClient();
        JsonElement[] alerts = [];
        await Eventually.UntilAsync(
            async () =>
            {
                using var body = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/dashboard/api/overview", UriKind.Relative)));
                alerts = body.RootElement.GetProperty("alerts").EnumerateArray().Where(a => a.GetProperty("tenant").GetString() == "acme").Select(a => a.Clone()).ToArray();
                return done(alerts);
            },
            () => $"{what}; the overview's alerts: {string.Join("\n", alerts.Select(a => a.GetRawText()))}");
        return alerts;
    }
}
