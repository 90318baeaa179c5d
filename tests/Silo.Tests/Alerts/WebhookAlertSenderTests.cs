using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTenancy.Grains.Alerts;
using OrleansTenancy.Silo.Alerts;
using OrleansTenancy.Tenancy.Alerts;

namespace OrleansTenancy.Silo.Tests.Alerts;

/// <summary>The webhook sender against a local receiver: each body shape, failures, a silent receiver, and no secret in the logs.</summary>
public sealed class WebhookAlertSenderTests : IAsyncLifetime
{
    private const string Secret = "T0SECRET/B0SECRET/xoxbSECRET";
    private static readonly AlertNotice Notice = new("acme", "staff", "daily_cap_usd", 20261202, 80m, 81.25m, 10m, DateTimeOffset.UnixEpoch);
    private readonly RecordedLogs _logs = new();
    private WebhookReceiver _receiver = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        // Long enough that a loaded machine never turns an answer into a timeout; the silent receiver's test has its own.
        _services = Services(new Dictionary<string, string?> { ["Alerts:AttemptTimeout"] = "00:00:30" });
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Theory]
    [InlineData("json", "idempotency_key")]
    [InlineData("slack", "text")]
    [InlineData("discord", "content")]
    public async Task Each_format_is_posted_as_json_with_the_idempotency_key(string format, string property)
    {
        var webhook = Webhook(_receiver.Url($"hooks/{format}/{Secret}"), format);

        var result = await Sender.SendAsync(Notice, webhook, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure);
        var received = Assert.Single(_receiver.Received);
        Assert.Equal($"/hooks/{format}/{Secret}", received.Path);
        Assert.Equal(Notice.Key, received.IdempotencyKey);
        Assert.StartsWith("application/json", received.ContentType, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(received.Body);
        Assert.True(body.RootElement.TryGetProperty(property, out _), $"the {format} body has no '{property}': {received.Body}");
        Assert.DoesNotContain(Secret, _logs.All, StringComparison.Ordinal);
        Assert.Contains("delivered to http://127.0.0.1", _logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_fails_the_attempt_naming_the_status_without_the_secret()
    {
        _receiver.FailNext(HttpStatusCode.ServiceUnavailable);

        var result = await Sender.SendAsync(Notice, Webhook(_receiver.Url($"hooks/{Secret}"), "slack"), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("the receiver answered 503 Service Unavailable", result.Failure);
        Assert.DoesNotContain(Secret, _logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_fails_the_attempt_after_the_timeout()
    {
        _receiver.Close();
        using var services = Services(new Dictionary<string, string?> { ["Alerts:AttemptTimeout"] = "00:00:02" });

        var result = await services.GetRequiredService<IAlertSender>().SendAsync(Notice, Webhook(_receiver.Url($"hooks/{Secret}"), "json"), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("no answer within 2 s", result.Failure);
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task An_unreachable_receiver_fails_the_attempt_and_neither_result_nor_logs_hold_the_secret()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}/hooks/{Secret}?token={Secret}";

        var result = await Sender.SendAsync(Notice, Webhook(url, "json"), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.DoesNotContain(Secret, result.Failure, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", _logs.All, StringComparison.Ordinal);
        Assert.Contains("not delivered to http://127.0.0.1", _logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_webhook_in_the_silo_settings_stops_the_start_naming_the_setting_not_the_secret()
    {
        using var services = Services(new Dictionary<string, string?>
        {
            ["Alerts:Webhooks:0:Url"] = "https://hooks.example.com/ok",
            ["Alerts:Webhooks:1:Url"] = $"http://hooks.example.com/services/{Secret}",
            ["Alerts:MaxAttempts"] = "0",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AlertDeliveryOptions>>().Value);

        Assert.Contains("Alerts:Webhooks:1: url http://hooks.example.com/services/*** uses plain http", error.Message, StringComparison.Ordinal);
        Assert.Contains("Alerts:MaxAttempts is 0", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    private IAlertSender Sender => _services.GetRequiredService<IAlertSender>();

    private ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        services.AddTenancyAlerts();
        return services.BuildServiceProvider();
    }

    private static AlertWebhook Webhook(string url, string format) =>
        AlertWebhook.TryCreate(url, format, out var webhook, out var error) ? webhook! : throw new InvalidOperationException(error);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
