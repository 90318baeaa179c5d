using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter;

/// <summary>
/// Calls OpenRouter's chat completions and models endpoints.
/// </summary>
/// <remarks>
/// Retry rule: only 408/429/502/503 and connection failures are retried, at most
/// <see cref="OpenRouterOptions.MaxRetries"/> times, and only before a successful response has begun. A stream is
/// handed to the caller once its headers arrive, so nothing that happens after output could start is ever
/// retried; our own timeout firing while a request is in flight is not retried either, because the provider may
/// already have accepted (and billed) it. Delays go through the injected <see cref="TimeProvider"/>.
/// The <see cref="HttpClient"/> should have an infinite <see cref="HttpClient.Timeout"/>: this class applies
/// <see cref="OpenRouterOptions.Timeout"/> per attempt itself, and must not cut off long streams.
/// </remarks>
public sealed partial class OpenRouterClient
{
    private const int MaxErrorBodyChars = 4096;

    private readonly HttpClient _http;
    private readonly OpenRouterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _chatCompletionsUrl;
    private readonly Uri _modelsUrl;

    /// <summary>Creates a client.</summary>
    /// <param name="http">The HTTP client (its <c>Timeout</c> should be infinite; see remarks).</param>
    /// <param name="options">Validated options.</param>
    /// <param name="timeProvider">The clock for timeouts and retry delays; defaults to the system clock.</param>
    /// <param name="logger">Receives retry warnings; defaults to none.</param>
    public OpenRouterClient(HttpClient http, OpenRouterOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        OpenRouterOptionsValidator.ThrowIfInvalid(options);
        _http = http;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        var root = options.BaseUrl.AbsoluteUri.TrimEnd('/');
        _chatCompletionsUrl = new Uri(root + "/chat/completions");
        _modelsUrl = new Uri(root + "/models");
    }

    /// <summary>The options this client uses.</summary>
    public OpenRouterOptions Options => _options;

    /// <summary>Sends a non-streamed completion (forcing <c>stream: false</c> and <c>usage: {include: true}</c>).</summary>
    /// <param name="request">The request; not modified.</param>
    /// <param name="callOptions">Per-call settings.</param>
    /// <param name="cancellationToken">Cancels the call, including retry waits.</param>
    /// <exception cref="OpenRouterException">OpenRouter refused or failed the call, or it timed out.</exception>
    public Task<ChatCompletionResult> CompleteAsync(ChatCompletionRequest request, OpenRouterCallOptions? callOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = SerializeForWire(request, stream: false);
        return ExecuteWithRetriesAsync(
            (attempt, token) => CompleteOnceAsync(body, callOptions, attempt, token),
            callOptions?.MaxRetries ?? _options.MaxRetries,
            cancellationToken);
    }

    /// <summary>Fetches <c>GET /models</c> and parses the USD price strings; entries without valid prices are skipped.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="OpenRouterException">The catalog could not be fetched.</exception>
    public Task<IReadOnlyList<OpenRouterModel>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        ExecuteWithRetriesAsync((_, token) => ListModelsOnceAsync(token), _options.MaxRetries, cancellationToken);

    private static byte[] SerializeForWire(ChatCompletionRequest request, bool stream)
    {
        var wire = request.Clone();
        wire.Stream = stream ? true : null;
        wire.Usage ??= new UsageRequest { Include = true };
        return JsonSerializer.SerializeToUtf8Bytes(wire, OpenRouterJsonContext.Default.ChatCompletionRequest);
    }

    private async Task<ChatCompletionResult> CompleteOnceAsync(byte[] body, OpenRouterCallOptions? callOptions, int attempt, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = BuildPost(body, callOptions, stream: false);
        try
        {
            using var response = await SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await ReadErrorAsync(response, linked.Token);
            }

            await using var content = await response.Content.ReadAsStreamAsync(linked.Token);
            var parsed = await JsonSerializer.DeserializeAsync(content, OpenRouterJsonContext.Default.ChatCompletionResponse, linked.Token)
                ?? throw new OpenRouterException(OpenRouterErrorKind.Other, $"OpenRouter returned an empty body from {_chatCompletionsUrl}.", response.StatusCode, chargeMayHaveOccurred: true);
            if (parsed.Error is { } error && parsed.Choices.Count == 0)
            {
                // OpenRouter answers 200 once a model started processing; later failures arrive in the body.
                throw FromPayload(error, response.StatusCode, outputStarted: false, retryAfter: null);
            }

            return new ChatCompletionResult(parsed, attempt);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the caller's cancellation, so a timeout: ours, or HttpClient.Timeout if it was left finite.
            throw TimedOut(_chatCompletionsUrl);
        }
        catch (JsonException ex)
        {
            throw new OpenRouterException(OpenRouterErrorKind.Other, $"OpenRouter's response from {_chatCompletionsUrl} is not a valid chat completion: {ex.Message}", chargeMayHaveOccurred: true, innerException: ex);
        }
    }

    private async Task<IReadOnlyList<OpenRouterModel>> ListModelsOnceAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, _modelsUrl);
        AddCommonHeaders(request, null);
        try
        {
            using var response = await SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await ReadErrorAsync(response, linked.Token);
            }

            await using var content = await response.Content.ReadAsStreamAsync(linked.Token);
            var parsed = await JsonSerializer.DeserializeAsync(content, OpenRouterJsonContext.Default.ModelsResponse, linked.Token);
            return ModelCatalogParser.Parse(parsed?.Data ?? [], _logger);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Listing models costs nothing, so a timeout here is safe to retry.
            throw new OpenRouterException(OpenRouterErrorKind.Timeout, $"No response from {_modelsUrl} within {_options.Timeout}; check OpenRouter:BaseUrl or raise OpenRouter:Timeout.");
        }
        catch (JsonException ex)
        {
            throw new OpenRouterException(OpenRouterErrorKind.Other, $"The model list from {_modelsUrl} is not valid JSON in OpenRouter's format: {ex.Message}", innerException: ex);
        }
    }

    private HttpRequestMessage BuildPost(byte[] body, OpenRouterCallOptions? callOptions, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _chatCompletionsUrl)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (stream)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        AddCommonHeaders(request, callOptions);
        return request;
    }

    private void AddCommonHeaders(HttpRequestMessage request, OpenRouterCallOptions? callOptions)
    {
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        }

        if (!string.IsNullOrEmpty(_options.Referer))
        {
            request.Headers.TryAddWithoutValidation("HTTP-Referer", _options.Referer);
        }

        if (!string.IsNullOrEmpty(_options.Title))
        {
            request.Headers.TryAddWithoutValidation("X-Title", _options.Title);
        }

        if (callOptions?.RequestId is { Length: > 0 } requestId)
        {
            request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);
        }

        if (callOptions?.Headers is { } headers)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // Only a failed connect proves the request never reached OpenRouter; anything later may have been billed.
            var neverSent = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
            throw new OpenRouterException(
                OpenRouterErrorKind.Transport,
                $"Could not reach {request.RequestUri}: {ex.Message}. Check OpenRouter:BaseUrl / {OpenRouterOptions.BaseUrlEnvironmentVariable}.",
                chargeMayHaveOccurred: !neverSent,
                innerException: ex);
        }
    }

    private OpenRouterException TimedOut(Uri url) => new(
        OpenRouterErrorKind.Timeout,
        $"No complete response from {url} within {_options.Timeout}; the request may still have been processed upstream. Raise OpenRouter:Timeout if the model is slow.",
        chargeMayHaveOccurred: true);

    private async Task<OpenRouterException> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var retryAfter = ReadRetryAfter(response);
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            text = "";
        }

        try
        {
            if (text.Length > 0 && JsonSerializer.Deserialize(text, OpenRouterJsonContext.Default.OpenRouterErrorResponse)?.Error is { } payload)
            {
                return FromPayload(payload, response.StatusCode, outputStarted: false, retryAfter);
            }
        }
        catch (JsonException)
        {
            // Not OpenRouter's error shape (e.g. a proxy's HTML page); fall through to the raw text.
        }

        var status = (int)response.StatusCode;
        var excerpt = text.Length > MaxErrorBodyChars ? text[..MaxErrorBodyChars] + "..." : text;
        return new OpenRouterException(
            OpenRouterException.KindFromStatus(status),
            $"OpenRouter returned {status} {response.ReasonPhrase} without an error body: {excerpt}",
            response.StatusCode,
            status.ToString(CultureInfo.InvariantCulture),
            retryAfter: retryAfter);
    }

    internal static OpenRouterException FromPayload(OpenRouterErrorPayload payload, HttpStatusCode status, bool outputStarted, TimeSpan? retryAfter)
    {
        var numeric = payload.NumericCode;
        var kind = numeric is { } code ? OpenRouterException.KindFromStatus(code) : KindFromSymbolicCode(payload.Code);
        var inBody = status == HttpStatusCode.OK;
        var message = inBody
            ? $"OpenRouter reported error {payload.Code} ({kind}) after accepting the request: {payload.Message}"
            : $"OpenRouter returned {(int)status} ({kind}): {payload.Message}";
        return new OpenRouterException(kind, message, status, payload.Code, payload.Metadata, retryAfter, outputStarted, chargeMayHaveOccurred: inBody);
    }

    private static OpenRouterErrorKind KindFromSymbolicCode(string? code) => code switch
    {
        null => OpenRouterErrorKind.Other,
        _ when code.Contains("rate", StringComparison.OrdinalIgnoreCase) => OpenRouterErrorKind.RateLimited,
        _ when code.Contains("timeout", StringComparison.OrdinalIgnoreCase) => OpenRouterErrorKind.Timeout,
        _ when code.Contains("server", StringComparison.OrdinalIgnoreCase) || code.Contains("provider", StringComparison.OrdinalIgnoreCase) => OpenRouterErrorKind.BadGateway,
        _ => OpenRouterErrorKind.Other,
    };

    private TimeSpan? ReadRetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
