using Microsoft.Extensions.Options;
using OrleansTenancy.Tenancy.Alerts;

namespace OrleansTenancy.Grains.Alerts;

/// <summary>
/// How budget alerts reach webhooks, bound from the <c>Alerts</c> configuration section. Webhooks configured here
/// receive every tenant's alerts, like those of <c>_global.yaml</c>; a tenant's own are in its <c>tenant.yaml</c>.
/// </summary>
public sealed class AlertDeliveryOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Alerts";

    /// <summary>Webhooks for every tenant's alerts (<c>Alerts:Webhooks:0:Url</c>, <c>…:Format</c>). Defaults to none.</summary>
    public IList<WebhookSetting> Webhooks { get; set; } = [];

    /// <summary>Delivery attempts per alert and webhook, the first included, before it is recorded as failed. Defaults to 6.</summary>
    public int MaxAttempts { get; set; } = AlertRetryPolicy.Default.MaxAttempts;

    /// <summary>The wait after a first failed attempt; it doubles after each further one. Defaults to 10 seconds.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = AlertRetryPolicy.Default.FirstDelay;

    /// <summary>The longest wait between two attempts. Defaults to 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = AlertRetryPolicy.Default.MaxDelay;

    /// <summary>How long one attempt may take before it counts as failed. Defaults to 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many fired alerts each tenant keeps with their delivery record (the oldest settled ones go first). Defaults to 50.</summary>
    public int HistoryLength { get; set; } = 50;

    /// <summary>The retry policy these options describe.</summary>
    public AlertRetryPolicy RetryPolicy => new(MaxAttempts, FirstRetryDelay, MaxRetryDelay);

    /// <summary>The configured webhooks, checked (call after validation).</summary>
    public IReadOnlyList<AlertWebhook> ParsedWebhooks() =>
        [.. Webhooks.Select(w => AlertWebhook.TryCreate(w.Url, w.Format, out var webhook, out _) ? webhook! : throw new InvalidOperationException("Alerts:Webhooks holds an invalid entry; validate the options first."))];
}

/// <summary>One webhook in the silo's settings.</summary>
public sealed class WebhookSetting
{
    /// <summary>The receiver's address (a secret: it is logged only redacted).</summary>
    public string? Url { get; set; }

    /// <summary><c>json</c> (the default), <c>slack</c> or <c>discord</c>.</summary>
    public string? Format { get; set; }
}

/// <summary>Checks <see cref="AlertDeliveryOptions"/>, naming the setting and the valid range.</summary>
public sealed class AlertDeliveryOptionsValidator : IValidateOptions<AlertDeliveryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AlertDeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            if (!AlertWebhook.TryCreate(options.Webhooks[i].Url, options.Webhooks[i].Format, out _, out var error))
            {
                failures.Add($"{AlertDeliveryOptions.SectionName}:Webhooks:{i}: {error}.");
            }
        }

        if (options.MaxAttempts is < 1 or > 100)
            failures.Add($"{AlertDeliveryOptions.SectionName}:MaxAttempts is {options.MaxAttempts}; it must be between 1 and 100.");
        if (options.FirstRetryDelay <= TimeSpan.Zero)
            failures.Add($"{AlertDeliveryOptions.SectionName}:FirstRetryDelay is {options.FirstRetryDelay}; it must be positive, e.g. '00:00:10'.");
        if (options.MaxRetryDelay < options.FirstRetryDelay)
            failures.Add($"{AlertDeliveryOptions.SectionName}:MaxRetryDelay is {options.MaxRetryDelay}; it must be at least FirstRetryDelay ({options.FirstRetryDelay}).");
        if (options.AttemptTimeout <= TimeSpan.Zero)
            failures.Add($"{AlertDeliveryOptions.SectionName}:AttemptTimeout is {options.AttemptTimeout}; it must be positive, e.g. '00:00:10'.");
        if (options.HistoryLength is < 1 or > 10_000)
            failures.Add($"{AlertDeliveryOptions.SectionName}:HistoryLength is {options.HistoryLength}; it must be between 1 and 10000.");
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
