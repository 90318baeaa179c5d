using System.Net;

namespace OrleansTenancy.Tenancy.Alerts;

/// <summary>The body a webhook receives: our own JSON, or the message shape Slack or Discord incoming webhooks accept.</summary>
public enum WebhookFormat
{
    /// <summary>A JSON object with every field of the alert (<see cref="AlertPayloads"/>).</summary>
    Json,

    /// <summary>A Slack incoming-webhook message (<c>text</c>).</summary>
    Slack,

    /// <summary>A Discord webhook message (<c>content</c>, no mentions).</summary>
    Discord,
}

/// <summary>
/// One configured receiver of budget alerts. Its URL usually carries a secret (Slack's and Discord's tokens are path
/// segments, other services put one in the query), so it is shown only through <see cref="Redacted"/>.
/// </summary>
public sealed record AlertWebhook
{
    private AlertWebhook(Uri url, WebhookFormat format)
    {
        Url = url;
        Format = format;
        Redacted = Redact(url);
    }

    /// <summary>The address alerts are posted to (secret: never log it, show <see cref="Redacted"/>).</summary>
    public Uri Url { get; }

    /// <summary>The body shape the receiver expects.</summary>
    public WebhookFormat Format { get; }

    /// <summary>The address with its credentials, path tokens and query hidden: safe for logs and the dashboard.</summary>
    public string Redacted { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Format.ToString().ToLowerInvariant()} webhook {Redacted}";

    /// <summary>
    /// Checks a configured webhook: an absolute <c>https</c> address (plain <c>http</c> only to this machine, where no
    /// network sees the secret) and a known format (<c>json</c>, the default, <c>slack</c> or <c>discord</c>).
    /// </summary>
    /// <param name="url">The configured address.</param>
    /// <param name="format">The configured format, or <see langword="null"/> for <c>json</c>.</param>
    /// <param name="webhook">The webhook, when valid.</param>
    /// <param name="error">Why it is not valid (never quoting the address), when it is not.</param>
    public static bool TryCreate(string? url, string? format, out AlertWebhook? webhook, out string? error)
    {
        webhook = null;
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || string.IsNullOrEmpty(uri.Host))
        {
            error = "url must be an absolute https address, e.g. 'https://hooks.slack.com/services/…'";
            return false;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
        {
            error = $"url {Redact(uri)} uses plain http; use https (plain http is accepted only for a receiver on this machine)";
            return false;
        }

        WebhookFormat parsed;
        switch (format?.Trim().ToLowerInvariant())
        {
            case null or "" or "json": parsed = WebhookFormat.Json; break;
            case "slack": parsed = WebhookFormat.Slack; break;
            case "discord": parsed = WebhookFormat.Discord; break;
            default:
                error = $"format '{format}' is not one of json, slack, discord";
                return false;
        }

        webhook = new AlertWebhook(uri, parsed);
        error = null;
        return true;
    }

    /// <summary>
    /// The address as it may be shown: scheme, host, port and the first path segment; later segments, the query,
    /// the fragment and any user information are replaced by <c>***</c>.
    /// </summary>
    public static string Redact(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return "***";
        }

        var segments = url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var path = segments.Length switch
        {
            0 => "/",
            1 => "/" + segments[0],
            _ => "/" + segments[0] + "/***",
        };
        var port = url.IsDefaultPort ? "" : ":" + url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var query = url.Query.Length > 1 || url.Fragment.Length > 1 ? "?***" : "";
        return $"{url.Scheme}://{url.Host}{port}{path}{query}";
    }

    /// <summary>Replaces every occurrence of a webhook's address (whole, or its path and query) in <paramref name="text"/> with its redacted form.</summary>
    public string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scrubbed = text.Replace(Url.OriginalString, Redacted, StringComparison.Ordinal)
            .Replace(Url.AbsoluteUri, Redacted, StringComparison.Ordinal);
        return Url.PathAndQuery.Length > 1 ? scrubbed.Replace(Url.PathAndQuery, "/***", StringComparison.Ordinal) : scrubbed;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
