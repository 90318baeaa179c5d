using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansTenancy.Grains.Alerts;
using OrleansTenancy.Tenancy.Alerts;

namespace OrleansTenancy.Silo.Alerts;

/// <summary>
/// Posts one alert to one webhook, once, within <see cref="AlertDeliveryOptions.AttemptTimeout"/>; retries are the
/// tenant grain's (its outbox records every attempt). What it logs and returns names the webhook only by its redacted
/// address, and scrubs the address from any error text.
/// </summary>
public sealed partial class WebhookAlertSender(IHttpClientFactory clients, IOptions<AlertDeliveryOptions> options, ILogger<WebhookAlertSender> logger) : IAlertSender
{
    /// <summary>The name of the <see cref="HttpClient"/> this sender uses.</summary>
    public const string HttpClientName = "alert-webhooks";

    /// <inheritdoc />
    public async Task<AlertSendResult> SendAsync(AlertNotice notice, AlertWebhook webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(webhook);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.AttemptTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
            {
                Content = new StringContent(AlertPayloads.Render(notice, webhook.Format), Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation(AlertPayloads.IdempotencyHeader, notice.Key);
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("OrleansTenancy", "1.0"));
            var http = clients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                LogDelivered(notice.Key, webhook.Redacted, (int)response.StatusCode);
                return AlertSendResult.Delivered;
            }

            var failure = $"the receiver answered {(int)response.StatusCode} {response.ReasonPhrase}";
            LogFailed(notice.Key, webhook.Redacted, failure);
            return AlertSendResult.Failed(failure);
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = error is OperationCanceledException
                ? $"no answer within {options.Value.AttemptTimeout.TotalSeconds:0.#} s"
                : webhook.Scrub(error.Message);
            LogFailed(notice.Key, webhook.Redacted, failure);
            return AlertSendResult.Failed(failure);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Budget alert {Key} delivered to {Webhook} ({Status})")]
    private partial void LogDelivered(string key, string webhook, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Budget alert {Key} not delivered to {Webhook}: {Failure}")]
    private partial void LogFailed(string key, string webhook, string failure);
}
