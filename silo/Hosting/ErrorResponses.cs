using Microsoft.AspNetCore.Diagnostics;
using OrleansTenancy.Grains.Resilience;
using OrleansTenancy.Silo.Gateway;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// One shape for every error the silo answers, whoever produced it: the OpenAI shape
/// (<c>{"error":{"message","type","code","param"}}</c>, <see cref="GatewayError"/>) under <c>/v1</c>, where OpenAI
/// clients read it, and ProblemDetails (<c>application/problem+json</c>) everywhere else. Handlers write their own
/// errors; this covers what reaches the pipeline without a body (an unknown route, a wrong method, a request the
/// server itself refused) and any exception a handler did not turn into an answer, so no error is ever an empty body.
/// </summary>
public static class ErrorResponses
{
    /// <summary>The path prefix of the OpenAI-compatible API.</summary>
    public static readonly PathString OpenAiPrefix = new("/v1");

    /// <summary>Whether <paramref name="path"/> belongs to the OpenAI-compatible API (and so gets the OpenAI error shape).</summary>
    public static bool IsOpenAiPath(PathString path) => path.StartsWithSegments(OpenAiPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds the exception handler and the bodies of bare error statuses; call first, before any endpoint.</summary>
    public static WebApplication UseTenancyErrorResponses(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A request the server refused while reading it (a body too large, a malformed request line) is the
            // caller's fault and keeps its 4xx. A grain the cluster could not reach within the retry budget (a silo
            // failing over, a storage server restarting) is a 503 worth retrying: every grain call that can fail so is
            // idempotent on the request id (GrainCallRetry). Anything else is the silo's.
            StatusCodeSelector = error => error switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ when GrainCallRetry.IsTransient(error) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
            ExceptionHandler = http =>
            {
                var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
                var status = http.Response.StatusCode;
                string message;
                if (error is BadHttpRequestException bad)
                {
                    message = $"The request could not be read: {bad.Message}";
                }
                else if (status == StatusCodes.Status503ServiceUnavailable)
                {
                    http.Response.Headers.RetryAfter = "1";
                    message = $"The cluster could not reach a grain while handling {http.Request.Method} {http.Request.Path} (trace id {http.TraceIdentifier}); " +
                        "a silo is failing over or a storage server is restarting. Send the request again with the same X-Request-Id: it is never charged twice.";
                }
                else
                {
                    message = $"The silo failed while handling {http.Request.Method} {http.Request.Path} (trace id {http.TraceIdentifier}); the failure is logged. Retrying may not help.";
                }

                return WriteAsync(http, status, message);
            },
        });
        app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            return WriteAsync(http, status, status switch
            {
                StatusCodes.Status404NotFound => $"There is no endpoint {http.Request.Method} {http.Request.Path}; the README lists the HTTP API.",
                StatusCodes.Status405MethodNotAllowed => $"{http.Request.Path} does not answer {http.Request.Method}; the README lists the methods of each endpoint.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON (Content-Type: application/json).",
                StatusCodes.Status413PayloadTooLarge => "The request body is larger than the silo accepts.",
                _ => $"The request was refused with HTTP {status}.",
            });
        });
        return app;
    }

    /// <summary>Writes an error of <paramref name="status"/> in the shape that the request's path calls for.</summary>
    public static async Task WriteAsync(HttpContext http, int status, string message)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.StatusCode = status;
        if (IsOpenAiPath(http.Request.Path))
        {
            await GatewayError.Of(status, TypeOf(status), CodeOf(status), message).WriteAsync(http.Response, http.RequestAborted);
            return;
        }

        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Detail = message },
        });
    }

    private static string TypeOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => GatewayError.AuthenticationError,
        StatusCodes.Status403Forbidden => GatewayError.PermissionDenied,
        StatusCodes.Status404NotFound => GatewayError.NotFound,
        >= 500 => GatewayError.ServerError,
        _ => GatewayError.InvalidRequest,
    };

    private static string CodeOf(int status) => status switch
    {
        StatusCodes.Status404NotFound => "unknown_endpoint",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status413PayloadTooLarge => "request_too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status503ServiceUnavailable => "cluster_unavailable",
        >= 500 => "internal_error",
        _ => "invalid_request",
    };
}
