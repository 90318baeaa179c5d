using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Silo.Gateway;
using RequestIds = OrleansTenancy.GrainInterfaces.RequestIds;

namespace OrleansTenancy.Silo.Apis;

/// <summary>
/// <c>POST /v1/chat/completions</c>, OpenAI-compatible (plain and streaming), served through the LLM router: every
/// call is reserved against the caller's budget before upstream sees it.
/// </summary>
/// <remarks>
/// Optional request headers: <c>X-Request-Id</c> (idempotency key; retries of one logical call reuse it),
/// <c>X-Task</c> (selects the tenant's task → model mapping when <c>model</c> is empty or <c>auto</c>),
/// <c>X-Agent</c> (recorded in the ledger; defaults to the id of the tenant API key), <c>X-Downshift: true</c>
/// (use a cheaper allowed model when the chosen one exceeds <c>max_per_request</c>). Responses carry
/// <c>X-Request-Id</c> and <c>X-Tenant-Context</c>, and non-streaming ones <c>X-Cache</c>.
/// </remarks>
public static partial class ChatCompletionsApi
{
    /// <summary>The request id header (request and response).</summary>
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>The request header naming the task (selects the tenant's task → model mapping; recorded).</summary>
    public const string TaskHeader = "X-Task";

    /// <summary>The request header naming the calling agent (recorded in the ledger).</summary>
    public const string AgentHeader = "X-Agent";

    /// <summary>The response header naming the effective <c>tenant:workspace</c>.</summary>
    public const string ContextHeader = "X-Tenant-Context";

    /// <summary>The response header of non-streaming calls saying whether the workspace's response cache answered (<c>hit</c>/<c>miss</c>).</summary>
    public const string CacheHeader = "X-Cache";

    /// <summary>Maps <c>POST /v1/chat/completions</c>.</summary>
    public static IEndpointConventionBuilder MapChatCompletionsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapPost("/v1/chat/completions", HandleAsync)
            .WithName("CreateChatCompletion")
            .WithSummary("OpenAI-compatible chat completion (JSON or server-sent events), budget-checked per tenant.");
    }

    /// <summary>Serves one chat completion.</summary>
    public static async Task HandleAsync(
        HttpContext http, [FromServices] CallerAuthenticator authenticator, [FromServices] ILoggerFactory loggers, [FromServices] TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(time);
        var aborted = http.RequestAborted;
        if (!authenticator.TryAuthenticate(http.Request, out var caller, out var error)
            || !authenticator.TryResolveEffective(caller, out var effective, out error))
        {
            await error.WriteAsync(http.Response, aborted);
            return;
        }

        if (!HeaderTokens.TryRead(http.Request, RequestIdHeader, out var givenId, out error)
            || !HeaderTokens.TryRead(http.Request, TaskHeader, out var task, out error)
            || !HeaderTokens.TryRead(http.Request, AgentHeader, out var agent, out error)
            || !ChatRequestRules.TryReadDownshift(http.Request, out var downshift, out error))
        {
            await error.WriteAsync(http.Response, aborted);
            return;
        }

        var (body, bodyError) = await ReadBodyAsync(http.Request, aborted);
        if (body is null)
        {
            await bodyError!.WriteAsync(http.Response, aborted);
            return;
        }

        var requestId = givenId ?? RequestIds.New(time);
        var route = new RouteRequest
        {
            // Anonymous callers pass no context so that the router applies (and counts) the non-strict fallback itself.
            Context = caller.Context,
            RequestId = requestId,
            GeneratedRequestId = givenId is null,
            Task = task,
            Agent = agent ?? caller.KeyId,
            Body = body,
            Downshift = downshift,
        };
        http.Response.Headers[RequestIdHeader] = requestId;
        http.Response.Headers[ContextHeader] = effective.Context.ToString();
        var logger = loggers.CreateLogger(typeof(ChatCompletionsApi));
        var router = http.RequestServices.GetRequiredService<ILlmRouter>();
        if (body.Stream == true)
        {
            await StreamAsync(http, router, route, WantsUsage(body), logger);
            return;
        }

        try
        {
            var result = await router.CompleteAsync(route, aborted);
            http.Response.Headers[ContextHeader] = result.Context.ToString();
            http.Response.Headers[CacheHeader] = result.Cached ? "hit" : "miss";
            await WriteAnswerAsync(http.Response, result.Response ?? EmptyResponse(result), aborted);
        }
        catch (RouteRefusedException refusal)
        {
            LogRefused(logger, requestId, effective.Context.ToString(), refusal.Reason, refusal.StatusCode, refusal.Message);
            await GatewayError.FromRefusal(refusal).WriteAsync(http.Response, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; the router has settled or released the reservation.
        }
    }

    // Serialised in one synchronous pass (the source generator's fast path; the async stream path allocates a write
    // stack per call) and sent with Content-Length, so the answer leaves in one write without chunked framing.
    private static Task WriteAnswerAsync(HttpResponse response, ChatCompletionResponse answer, CancellationToken cancellationToken)
    {
        var json = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(json))
        {
            JsonSerializer.Serialize(writer, answer, OpenRouterJsonContext.Default.ChatCompletionResponse);
        }

        response.ContentType = "application/json";
        response.ContentLength = json.WrittenCount;
        return response.Body.WriteAsync(json.WrittenMemory, cancellationToken).AsTask();
    }

    private static async Task<(ChatCompletionRequest? Body, GatewayError? Error)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ChatCompletionRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(request.Body, OpenRouterJsonContext.Default.ChatCompletionRequest, cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, ChatRequestRules.FromJson(ex));
        }

        if (body is null)
        {
            return (null, ChatRequestRules.FromJson(new JsonException("The body is null.", "$", null, null)));
        }

        return ChatRequestRules.Check(body) is { } invalid ? (null, invalid) : (body, null);
    }

    /// <summary>Whether the client asked for usage in the stream: OpenAI's <c>stream_options.include_usage</c> or OpenRouter's <c>usage.include</c>.</summary>
    private static bool WantsUsage(ChatCompletionRequest body)
    {
        if (body.Usage?.Include == true)
        {
            return true;
        }

        return body.AdditionalProperties?.TryGetValue("stream_options", out var options) == true
            && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var include)
            && include.ValueKind == JsonValueKind.True;
    }

    private static ChatCompletionResponse EmptyResponse(RouteResult result) => new()
    {
        Id = result.RequestId,
        Model = result.Model,
        Provider = result.Provider,
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Chat completion {RequestId} for {Context} refused: {Reason} ({Status}) {Detail}")]
    private static partial void LogRefused(ILogger logger, string requestId, string context, RouteRefusal reason, int status, string detail);
}
