using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Silo.Gateway;

/// <summary>
/// An error of the OpenAI-compatible API, written in OpenAI's shape
/// (<c>{"error":{"message","type","code","param"}}</c>) so that OpenAI clients surface the message, plus a
/// <c>budget</c> object for budget denials. Rate limits carry <c>Retry-After</c>.
/// </summary>
public sealed record GatewayError : IResult
{
    /// <summary>The error type for budget denials (HTTP 402).</summary>
    public const string BudgetExceeded = "budget_exceeded";

    /// <summary>The error type for rate limits (HTTP 429).</summary>
    public const string RateLimitExceeded = "rate_limit_exceeded";

    /// <summary>The error type for malformed or unserviceable requests (HTTP 400).</summary>
    public const string InvalidRequest = "invalid_request_error";

    /// <summary>The error type for callers without permission (HTTP 403).</summary>
    public const string PermissionDenied = "permission_denied";

    /// <summary>The error type for missing or unknown credentials (HTTP 401).</summary>
    public const string AuthenticationError = "authentication_error";

    /// <summary>The error type for failures of the upstream provider.</summary>
    public const string UpstreamError = "upstream_error";

    /// <summary>The error type for a resource that does not exist (HTTP 404).</summary>
    public const string NotFound = "not_found_error";

    /// <summary>The error type for a failure of the silo itself (HTTP 500).</summary>
    public const string ServerError = "server_error";

    /// <summary>
    /// How error bodies are written: quotes, angle brackets and non-ASCII letters as they are, so that a message naming
    /// <c>'model'</c> reads as written (the body is a JSON document, never embedded in HTML).
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The HTTP status.</summary>
    public required int Status { get; init; }

    /// <summary>The OpenAI-style error type (one of the constants of this class).</summary>
    public required string Type { get; init; }

    /// <summary>A short machine-readable code, e.g. <c>invalid_api_key</c>.</summary>
    public required string Code { get; init; }

    /// <summary>A sentence that names the offending value and what to do.</summary>
    public required string Message { get; init; }

    /// <summary>The request field at fault, when one is.</summary>
    public string? Param { get; init; }

    /// <summary>The budget limit that refused the call (402 only).</summary>
    public BudgetDenial? Denial { get; init; }

    /// <summary>When the caller may retry; sent as <c>Retry-After</c> in whole seconds, rounded up.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Creates an error.</summary>
    public static GatewayError Of(int status, string type, string code, string message, string? param = null) =>
        new() { Status = status, Type = type, Code = code, Message = message, Param = param };

    /// <summary>
    /// Maps a router refusal, with the status the router decided (<see cref="RouteRefusedException.StatusOf"/>): budget
    /// denials are 402 and rate limits 429, never a 5xx.
    /// </summary>
    public static GatewayError FromRefusal(RouteRefusedException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var status = refusal.StatusCode;
        var type = status == StatusCodes.Status429TooManyRequests
            ? RateLimitExceeded
            : refusal.Reason switch
            {
                RouteRefusal.BudgetDenied => BudgetExceeded,
                RouteRefusal.ContextMissing => AuthenticationError,
                RouteRefusal.UnknownTenant or RouteRefusal.TenantSuspended or RouteRefusal.ModelNotAllowed => PermissionDenied,
                RouteRefusal.Upstream => UpstreamError,
                _ => InvalidRequest,
            };
        var retryAfter = refusal.RetryAfter
            ?? (status == StatusCodes.Status429TooManyRequests ? TimeSpan.FromSeconds(1) : null);
        return new GatewayError
        {
            Status = status,
            Type = type,
            Code = refusal.Code,
            Message = refusal.Denial?.Message ?? refusal.Message,
            Denial = refusal.Denial,
            RetryAfter = retryAfter,
            Param = refusal.Reason == RouteRefusal.ModelNotAllowed ? "model" : null,
        };
    }

    /// <summary>Sets the status and headers and writes the JSON body. The response must not have started.</summary>
    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = Status;
        response.ContentType = "application/json";
        if (RetryAfter is { } retry)
        {
            response.Headers.RetryAfter = RetryAfterSeconds(retry).ToString(CultureInfo.InvariantCulture);
        }

        if (Status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }

        await using (var json = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            WriteJson(json);
        }

        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return WriteAsync(httpContext.Response, httpContext.RequestAborted);
    }

    /// <summary>Writes <c>{"error":{...}}</c>.</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", Message);
        json.WriteString("type", Type);
        json.WriteString("code", Code);
        if (Param is null)
        {
            json.WriteNull("param");
        }
        else
        {
            json.WriteString("param", Param);
        }

        if (RetryAfter is { } retry)
        {
            json.WriteNumber("retry_after_seconds", RetryAfterSeconds(retry));
        }

        if (Denial is { } denial)
        {
            WriteDenial(json, denial);
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
    }

    /// <summary>The <c>Retry-After</c> value: whole seconds, rounded up, at least 1.</summary>
    public static long RetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));

    private static void WriteDenial(Utf8JsonWriter json, BudgetDenial denial)
    {
        // Metric and period are spelt as the admin API's JSON spells them (snake_case enum names).
        json.WriteStartObject("budget");
        json.WriteString("limit_kind", JsonNamingPolicy.SnakeCaseLower.ConvertName(denial.Metric.ToString()));
        json.WriteString("period", JsonNamingPolicy.SnakeCaseLower.ConvertName(denial.Period.ToString()));
        if (denial.Workspace is not null)
        {
            json.WriteString("workspace", denial.Workspace);
        }

        json.WriteNumber("limit", denial.Limit);
        json.WriteNumber("spent", denial.Spent);
        json.WriteNumber("reserved", denial.Reserved);
        json.WriteNumber("requested", denial.Requested);
        json.WriteNumber("remaining", denial.Remaining);
        if (denial.ResetsAt is { } resetsAt)
        {
            json.WriteString("resets_at", resetsAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull("resets_at");
        }

        json.WriteEndObject();
    }
}
