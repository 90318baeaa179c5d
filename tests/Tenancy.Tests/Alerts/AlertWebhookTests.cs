using System.Text.Json;
using OrleansTenancy.Tenancy.Alerts;

namespace OrleansTenancy.Tenancy.Tests.Alerts;

public sealed class AlertWebhookTests
{
    private static readonly AlertNotice Notice = new("acme", null, "daily_cap_usd", 20261202, 80m, 82.5m, 10m, new DateTimeOffset(2026, 12, 2, 9, 30, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com/services/***")]
    [InlineData("https://discord.com/api/webhooks/1234/SECRETTOKEN", "https://discord.com/api/***")]
    [InlineData("https://alerts.example.com/hook?token=SECRET", "https://alerts.example.com/hook?***")]
    [InlineData("https://user:SECRET@alerts.example.com:8443/", "https://alerts.example.com:8443/")]
    [InlineData("http://127.0.0.1:5000/receive/SECRET#frag", "http://127.0.0.1:5000/receive/***?***")]
    public void Redaction_keeps_the_host_and_first_path_segment_and_hides_every_token(string url, string redacted)
    {
        Assert.True(AlertWebhook.TryCreate(url, null, out var webhook, out var error), error);
        Assert.Equal(redacted, webhook!.Redacted);
        Assert.DoesNotContain("SECRET", webhook.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", webhook.Scrub($"connecting to {url} failed; path {webhook.Url.PathAndQuery}"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://hooks.example.com/services/SECRET", null, "uses plain http")]
    [InlineData("ftp://hooks.example.com/x", null, "absolute https address")]
    [InlineData("/relative/path", null, "absolute https address")]
    [InlineData("", null, "absolute https address")]
    [InlineData("https://hooks.example.com/x", "teams", "format 'teams' is not one of json, slack, discord")]
    public void Invalid_webhooks_are_refused_without_quoting_their_secret(string url, string? format, string expected)
    {
        Assert.False(AlertWebhook.TryCreate(url, format, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:9000/hook")]
    [InlineData("http://127.0.0.1:9000/hook")]
    [InlineData("http://[::1]:9000/hook")]
    public void Plain_http_is_accepted_for_a_receiver_on_this_machine(string url) =>
        Assert.True(AlertWebhook.TryCreate(url, "json", out _, out _));

    [Fact]
    public void The_key_names_tenant_workspace_limit_period_and_threshold()
    {
        Assert.Equal("acme/*/daily_cap_usd/20261202/80", Notice.Key);
        Assert.Equal("acme/staff/monthly_tokens/202612/50.5", (Notice with { Workspace = "staff", Limit = "monthly_tokens", PeriodKey = 202612, ThresholdPercent = 50.5m }).Key);
    }

    [Fact]
    public void The_json_payload_carries_every_field_and_the_key()
    {
        using var body = JsonDocument.Parse(AlertPayloads.Render(Notice, WebhookFormat.Json));
        var root = body.RootElement;
        Assert.Equal("budget_alert", root.GetProperty("type").GetString());
        Assert.Equal(Notice.Key, root.GetProperty("idempotency_key").GetString());
        Assert.Equal("acme", root.GetProperty("tenant").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("workspace").ValueKind);
        Assert.Equal("daily_cap_usd", root.GetProperty("limit").GetString());
        Assert.Equal(20261202, root.GetProperty("period").GetInt32());
        Assert.Equal(80m, root.GetProperty("threshold_percent").GetDecimal());
        Assert.Equal(82.5m, root.GetProperty("percent_used").GetDecimal());
        Assert.Equal(10m, root.GetProperty("limit_value").GetDecimal());
        Assert.Equal("2026-12-02T09:30:00.0000000+00:00", root.GetProperty("fired_at").GetString());
    }

    [Fact]
    public void Slack_gets_text_and_Discord_gets_content_without_mentions()
    {
        using var slack = JsonDocument.Parse(AlertPayloads.Render(Notice, WebhookFormat.Slack));
        Assert.Equal(["text"], slack.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Contains("tenant acme has used 82.5% of daily_cap_usd", slack.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);

        using var discord = JsonDocument.Parse(AlertPayloads.Render(Notice with { Workspace = "staff" }, WebhookFormat.Discord));
        Assert.Contains("tenant acme (workspace staff)", discord.RootElement.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, discord.RootElement.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());
    }

    [Fact]
    public void Retries_back_off_doubling_up_to_the_cap_and_stop_after_the_last_attempt()
    {
        var policy = new AlertRetryPolicy(4, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(25));
        var at = Notice.FiredAt;
        Assert.Equal(at.AddSeconds(10), policy.NextAttempt(1, at));
        Assert.Equal(at.AddSeconds(20), policy.NextAttempt(2, at));
        Assert.Equal(at.AddSeconds(25), policy.NextAttempt(3, at));
        Assert.Null(policy.NextAttempt(4, at));
    }
}
