using System.Net;
using System.Text.Json;

namespace OrleansTenancy.OpenRouter;

/// <summary>What kind of failure an <see cref="OpenRouterException"/> reports.</summary>
public enum OpenRouterErrorKind
{
    /// <summary>Not one of the kinds below.</summary>
    Other,

    /// <summary>400: invalid or missing parameters, unknown model.</summary>
    BadRequest,

    /// <summary>401: missing, invalid or disabled API key.</summary>
    Unauthorized,

    /// <summary>402: the OpenRouter account or key is out of credits.</summary>
    InsufficientCredits,

    /// <summary>403: forbidden, e.g. the input was flagged by moderation or a guardrail.</summary>
    Forbidden,

    /// <summary>408 from OpenRouter, or no response within <see cref="OpenRouterOptions.Timeout"/>.</summary>
    Timeout,

    /// <summary>429: rate limited; see <see cref="OpenRouterException.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>502: the model is down or returned an invalid response (also provider errors mid-stream).</summary>
    BadGateway,

    /// <summary>503: no provider meets the routing requirements.</summary>
    Unavailable,

    /// <summary>The connection failed before a response arrived.</summary>
    Transport,
}

/// <summary>A failed OpenRouter call, with the status, error body fields and what it means for retries and billing.</summary>
public sealed class OpenRouterException : Exception
{
    /// <summary>Creates an exception.</summary>
    /// <param name="kind">The failure kind.</param>
    /// <param name="message">OpenRouter's message, or ours for timeouts and transport failures.</param>
    /// <param name="statusCode">The HTTP status, when a response arrived.</param>
    /// <param name="errorCode">The <c>error.code</c> of the body, as text.</param>
    /// <param name="metadata">The <c>error.metadata</c> of the body.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> delay, when the response carried one.</param>
    /// <param name="outputStarted">True when stream output had already been delivered.</param>
    /// <param name="chargeMayHaveOccurred">True when OpenRouter may have billed the call.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public OpenRouterException(
        OpenRouterErrorKind kind,
        string message,
        HttpStatusCode? statusCode = null,
        string? errorCode = null,
        JsonElement? metadata = null,
        TimeSpan? retryAfter = null,
        bool outputStarted = false,
        bool chargeMayHaveOccurred = false,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        Metadata = metadata;
        RetryAfter = retryAfter;
        OutputStarted = outputStarted;
        ChargeMayHaveOccurred = chargeMayHaveOccurred || outputStarted;
    }

    /// <summary>The failure kind.</summary>
    public OpenRouterErrorKind Kind { get; }

    /// <summary>The HTTP status, when a response arrived (200 for errors inside a stream or body).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The <c>error.code</c> of the body as text: the status digits, or a symbolic code mid-stream.</summary>
    public string? ErrorCode { get; }

    /// <summary>The <c>error.metadata</c> of the body (moderation reasons, provider name and raw error, ...).</summary>
    public JsonElement? Metadata { get; }

    /// <summary>How long OpenRouter asked to wait (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when the error arrived after stream output had been delivered to the caller.</summary>
    public bool OutputStarted { get; }

    /// <summary>
    /// True when the provider may have accepted (and billed) the call: after stream output, or when our timeout
    /// fired while the request was in flight. Callers settle rather than release in that case.
    /// </summary>
    public bool ChargeMayHaveOccurred { get; }

    /// <summary>
    /// Whether trying again could succeed and cannot pay twice: 408, 429, 502, 503 and transport failures, when
    /// no output was delivered and OpenRouter cannot have billed the failed attempt.
    /// </summary>
    public bool IsRetryable =>
        !ChargeMayHaveOccurred && Kind is OpenRouterErrorKind.Timeout or OpenRouterErrorKind.RateLimited
            or OpenRouterErrorKind.BadGateway or OpenRouterErrorKind.Unavailable or OpenRouterErrorKind.Transport;

    /// <summary>Maps an HTTP status to a kind.</summary>
    /// <param name="status">The status.</param>
    public static OpenRouterErrorKind KindFromStatus(int status) => status switch
    {
        400 => OpenRouterErrorKind.BadRequest,
        401 => OpenRouterErrorKind.Unauthorized,
        402 => OpenRouterErrorKind.InsufficientCredits,
        403 => OpenRouterErrorKind.Forbidden,
        408 => OpenRouterErrorKind.Timeout,
        429 => OpenRouterErrorKind.RateLimited,
        502 => OpenRouterErrorKind.BadGateway,
        503 => OpenRouterErrorKind.Unavailable,
        _ => OpenRouterErrorKind.Other,
    };
}
