using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace OrleansTenancy.OpenRouter;

/// <summary>How the OpenRouter client reaches OpenRouter (or the simulator) and how it retries.</summary>
public sealed class OpenRouterOptions
{
    /// <summary>The default base URL, OpenRouter's public API.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://openrouter.ai/api/v1");

    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "OpenRouter";

    /// <summary>The environment variable that overrides <see cref="BaseUrl"/>.</summary>
    public const string BaseUrlEnvironmentVariable = "OPENROUTER_BASE_URL";

    /// <summary>The environment variable that supplies <see cref="ApiKey"/>.</summary>
    public const string ApiKeyEnvironmentVariable = "OPENROUTER_API_KEY";

    /// <summary>The API root; <c>/chat/completions</c> and <c>/models</c> are appended. Defaults to <see cref="DefaultBaseUrl"/>.</summary>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The bearer key. Defaults to none (no <c>Authorization</c> header), which only a simulator accepts.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sent as <c>HTTP-Referer</c> for OpenRouter app attribution. Defaults to none.</summary>
    public string? Referer { get; set; }

    /// <summary>Sent as <c>X-Title</c> for OpenRouter app attribution. Defaults to none.</summary>
    public string? Title { get; set; }

    /// <summary>
    /// How long one attempt may wait: for a non-streamed call the whole response, for a stream its response
    /// headers. Defaults to 60 seconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The longest silence allowed between two lines of a stream (OpenRouter's keep-alive comments count as
    /// lines). Defaults to 60 seconds; infinite disables it.
    /// </summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt for 408/429/502/503 and connection failures. Defaults to 2.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first backoff delay; each retry doubles it, with up to 25% jitter. Defaults to 250 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait honoured from a <c>Retry-After</c> header or computed by backoff. Defaults to 30 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Builds options from the <c>OpenRouter</c> configuration section, then applies <c>OPENROUTER_BASE_URL</c> and
    /// <c>OPENROUTER_API_KEY</c> from the environment (the environment wins, so deployments can override files).
    /// </summary>
    /// <param name="configuration">The configuration root; may be null to use defaults plus the environment.</param>
    public static OpenRouterOptions FromConfiguration(IConfiguration? configuration) =>
        FromConfiguration(configuration, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="FromConfiguration(IConfiguration?)"/>, reading the environment through <paramref name="getEnvironmentVariable"/>.</summary>
    /// <param name="configuration">The configuration root; may be null.</param>
    /// <param name="getEnvironmentVariable">Reads one environment variable (injectable for tests).</param>
    public static OpenRouterOptions FromConfiguration(IConfiguration? configuration, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var options = new OpenRouterOptions();
        var section = configuration?.GetSection(SectionName);
        if (section is not null)
        {
            ApplyUrl(section["BaseUrl"], $"{SectionName}:BaseUrl", options);
            options.ApiKey = NullIfEmpty(section["ApiKey"]) ?? options.ApiKey;
            options.Referer = NullIfEmpty(section["Referer"]) ?? options.Referer;
            options.Title = NullIfEmpty(section["Title"]) ?? options.Title;
            options.Timeout = ReadTimeSpan(section, "Timeout", options.Timeout);
            options.StreamIdleTimeout = ReadTimeSpan(section, "StreamIdleTimeout", options.StreamIdleTimeout);
            options.RetryBaseDelay = ReadTimeSpan(section, "RetryBaseDelay", options.RetryBaseDelay);
            options.MaxRetryDelay = ReadTimeSpan(section, "MaxRetryDelay", options.MaxRetryDelay);
            if (NullIfEmpty(section["MaxRetries"]) is { } retries)
            {
                options.MaxRetries = int.TryParse(retries, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new InvalidOperationException($"{SectionName}:MaxRetries '{retries}' is not a whole number; use e.g. 2.");
            }
        }

        ApplyUrl(getEnvironmentVariable(BaseUrlEnvironmentVariable), BaseUrlEnvironmentVariable, options);
        options.ApiKey = NullIfEmpty(getEnvironmentVariable(ApiKeyEnvironmentVariable)) ?? options.ApiKey;
        OpenRouterOptionsValidator.ThrowIfInvalid(options);
        return options;
    }

    /// <summary>A description with the API key redacted, safe to log.</summary>
    public override string ToString() =>
        $"OpenRouterOptions {{ BaseUrl = {BaseUrl}, ApiKey = {(string.IsNullOrEmpty(ApiKey) ? "(none)" : "***")}, " +
        $"Referer = {Referer ?? "(none)"}, Title = {Title ?? "(none)"}, Timeout = {Timeout}, StreamIdleTimeout = {StreamIdleTimeout}, MaxRetries = {MaxRetries}, " +
        $"RetryBaseDelay = {RetryBaseDelay}, MaxRetryDelay = {MaxRetryDelay} }}";

    private static void ApplyUrl(string? value, string source, OpenRouterOptions options)
    {
        if (NullIfEmpty(value) is not { } text)
        {
            return;
        }

        options.BaseUrl = Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new InvalidOperationException($"{source} '{text}' is not an absolute http(s) URL; use e.g. {DefaultBaseUrl}.");
    }

    private static TimeSpan ReadTimeSpan(IConfigurationSection section, string key, TimeSpan fallback)
    {
        if (NullIfEmpty(section[key]) is not { } text)
        {
            return fallback;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"{SectionName}:{key} '{text}' is not a time span; use hh:mm:ss, e.g. 00:01:00.");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>Checks <see cref="OpenRouterOptions"/> and names the offending property and its valid range.</summary>
public static class OpenRouterOptionsValidator
{
    /// <summary>Returns one message per invalid property; empty when the options are usable.</summary>
    /// <param name="options">The options to check.</param>
    public static IReadOnlyList<string> Validate(OpenRouterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.BaseUrl is null || !options.BaseUrl.IsAbsoluteUri || (options.BaseUrl.Scheme != Uri.UriSchemeHttp && options.BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"OpenRouterOptions.BaseUrl '{options.BaseUrl}' must be an absolute http(s) URL such as {OpenRouterOptions.DefaultBaseUrl}.");
        }

        if (options.Timeout <= TimeSpan.Zero && options.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            errors.Add($"OpenRouterOptions.Timeout {options.Timeout} must be positive (or infinite).");
        }

        if (options.StreamIdleTimeout <= TimeSpan.Zero && options.StreamIdleTimeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            errors.Add($"OpenRouterOptions.StreamIdleTimeout {options.StreamIdleTimeout} must be positive (or infinite).");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            errors.Add($"OpenRouterOptions.MaxRetries {options.MaxRetries} must be between 0 and 10.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero)
        {
            errors.Add($"OpenRouterOptions.RetryBaseDelay {options.RetryBaseDelay} must not be negative.");
        }

        if (options.MaxRetryDelay < TimeSpan.Zero)
        {
            errors.Add($"OpenRouterOptions.MaxRetryDelay {options.MaxRetryDelay} must not be negative.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every invalid property.</summary>
    /// <param name="options">The options to check.</param>
    public static void ThrowIfInvalid(OpenRouterOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid OpenRouter options: " + string.Join(" ", errors));
        }
    }
}
