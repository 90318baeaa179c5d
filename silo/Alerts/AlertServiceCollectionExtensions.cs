using Microsoft.Extensions.Options;
using OrleansTenancy.Grains.Alerts;

namespace OrleansTenancy.Silo.Alerts;

/// <summary>Host wiring for budget alert delivery: the <c>Alerts</c> settings and the webhook sender the tenant grains call.</summary>
public static partial class AlertServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="AlertDeliveryOptions"/> (checked at start: a bad webhook stops the silo with a
    /// message naming the setting), <see cref="WebhookAlertSender"/> as the <see cref="IAlertSender"/> and the
    /// <see cref="AlertDispatcher"/> the tenant grains share (one per silo: an activation holds only a reference), and
    /// <see cref="AlertWakeUp"/>, which wakes the tenants with deliveries pending when the silo starts.
    /// </summary>
    public static IServiceCollection AddTenancyAlerts(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AlertDeliveryOptions>().BindConfiguration(AlertDeliveryOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertDeliveryOptions>, AlertDeliveryOptionsValidator>();
        // One attempt per call and no redirects: the grain's outbox does the retrying, and a redirect could carry the
        // alert (and the secret in the address) somewhere else.
        services.AddHttpClient(WebhookAlertSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan)
            // The factory's own loggers write request addresses whole, and a webhook's address holds its secret; the
            // sender logs each attempt itself, redacted.
            .RemoveAllLoggers();
        services.AddSingleton<IAlertSender, WebhookAlertSender>();
        services.AddSingleton<AlertDispatcher>();

        // A restart ends the delivery timers of the tenants' activations: the silo wakes those with deliveries pending.
        services.AddSingleton<AlertWakeUp>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<AlertWakeUp>());
        services.AddHostedService<AlertSettingsLog>();
        return services;
    }

    /// <summary>Logs the effective alert settings at start, webhooks redacted.</summary>
    private sealed partial class AlertSettingsLog(IOptions<AlertDeliveryOptions> options, ILogger<AlertSettingsLog> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var value = options.Value;
            var webhooks = value.ParsedWebhooks();
            LogSettings(
                webhooks.Count == 0 ? "none" : string.Join(", ", webhooks.Select(w => w.ToString())),
                value.MaxAttempts, value.FirstRetryDelay, value.MaxRetryDelay, value.AttemptTimeout);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Budget alerts: silo webhooks {Webhooks}; {MaxAttempts} attempts, retry after {FirstRetryDelay} doubling to {MaxRetryDelay}, {AttemptTimeout} per attempt")]
        private partial void LogSettings(string webhooks, int maxAttempts, TimeSpan firstRetryDelay, TimeSpan maxRetryDelay, TimeSpan attemptTimeout);
    }
}
