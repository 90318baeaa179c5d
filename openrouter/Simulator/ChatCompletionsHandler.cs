using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>
/// Serves <c>POST /api/v1/chat/completions</c> the way OpenRouter does: auth, validation, <c>models</c> fallback,
/// JSON or SSE answers with usage and cost, and error bodies — shaped by the knobs.
/// </summary>
/// <remarks>
/// Order of checks mirrors what a caller can observe from OpenRouter: a bad key is reported before a bad body,
/// and a bad body before any routing or provider failure. Nothing is logged per request, because this handler
/// is the baseline in gateway latency benchmarks.
/// </remarks>
internal sealed partial class ChatCompletionsHandler(SimulatorState state)
{
    private const string SimErrorModelPrefix = "sim/error-";

    public async Task HandleAsync(HttpContext context)
    {
        var exchange = new Exchange(state.Requests.NextSequence());
        try
        {
            exchange.Body = await ReadBodyAsync(context.Request, context.RequestAborted);
            state.OnRequestReceived(First(context.Request.Headers, "X-Request-Id"));
            if (state.AnswerGate is { } gate)
            {
                await gate(First(context.Request.Headers, "X-Request-Id"));
            }

            await ServeAsync(context, exchange);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException || context.RequestAborted.IsCancellationRequested)
        {
            // Reading the body or writing the answer failed because the caller went away (or timed out).
            exchange.Outcome = "client-disconnected";
        }
        catch (Exception)
        {
            exchange.Status = StatusCodes.Status500InternalServerError;
            exchange.Outcome = "failed";
            throw;
        }
        finally
        {
            var headers = context.Request.Headers;
            state.Requests.Add(new RecordedRequest(
                exchange.Sequence,
                context.Request.Method,
                context.Request.Path.Value ?? "",
                First(headers, "X-Request-Id"),
                First(headers, "HTTP-Referer"),
                First(headers, "X-Title"),
                headers.ContainsKey("Authorization"),
                exchange.Body,
                exchange.Status,
                exchange.ModelUsed,
                exchange.Outcome,
                exchange.ChunksSent));
        }
    }

    private async Task ServeAsync(HttpContext context, Exchange exchange)
    {
        if (AuthorizationFailure(context.Request.Headers) is { } authError)
        {
            await WriteErrorAsync(context, exchange, 401, authError, null, null);
            return;
        }

        SimulatorKnobs knobs;
        ChatCompletionRequest? request;
        try
        {
            knobs = state.Defaults.WithHeaders(context.Request.Headers);
            request = JsonSerializer.Deserialize(exchange.Body!, OpenRouterJsonContext.Default.ChatCompletionRequest);
        }
        catch (FormatException ex)
        {
            await WriteErrorAsync(context, exchange, 400, ex.Message, null, null);
            return;
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(context, exchange, 400, $"Invalid JSON in request body: {ex.Message}", null, null);
            return;
        }

        var candidates = Candidates(request);
        if (Validate(request, candidates) is { } invalid)
        {
            await WriteErrorAsync(context, exchange, 400, invalid, null, null);
            return;
        }

        if (knobs.Error is { } forcedStatus && ShouldFail(context, exchange, knobs))
        {
            await WriteKnobErrorAsync(context, exchange, forcedStatus, candidates[0], request!, knobs);
            return;
        }

        var chosen = candidates.FirstOrDefault(model => !IsDown(model, knobs));
        if (chosen is null)
        {
            var last = candidates[^1];
            var status = SimErrorStatus(last) ?? 502;
            await WriteKnobErrorAsync(context, exchange, status, last, request!, knobs);
            return;
        }

        exchange.ModelUsed = chosen;
        state.ModelsById.TryGetValue(chosen, out var prices);
        var reply = SimulatedReply.Create(request!, chosen, prices, knobs);
        if (request!.Stream == true)
        {
            await WriteStreamAsync(context, exchange, chosen, reply, knobs);
        }
        else
        {
            await DelayAsync(knobs.LatencyMs, context.RequestAborted);
            if (knobs.BodyError is { } bodyError)
            {
                await WriteBodyErrorAsync(context, exchange, bodyError, chosen, knobs);
                return;
            }

            await WriteCompletionAsync(context, exchange, chosen, reply, knobs);
        }
    }

    private string? AuthorizationFailure(IHeaderDictionary headers)
    {
        if (state.Options.RequiredApiKey is not { } key)
        {
            return null;
        }

        var header = First(headers, "Authorization");
        if (header is null)
        {
            return "No auth credentials found: send 'Authorization: Bearer <key>'.";
        }

        return header == "Bearer " + key ? null : "Invalid API key: the bearer key is not known.";
    }

    private static List<string> Candidates(ChatCompletionRequest? request)
    {
        var candidates = new List<string>(1 + (request?.Models?.Count ?? 0));
        if (!string.IsNullOrEmpty(request?.Model))
        {
            candidates.Add(request.Model);
        }

        foreach (var model in request?.Models ?? [])
        {
            if (!string.IsNullOrEmpty(model) && !candidates.Contains(model))
            {
                candidates.Add(model);
            }
        }

        return candidates;
    }

    private string? Validate(ChatCompletionRequest? request, List<string> candidates)
    {
        if (request is null)
        {
            return "Request body must be a JSON object.";
        }

        if (request.Messages.Count == 0)
        {
            return "Input required: 'messages' must be a non-empty array.";
        }

        if (candidates.Count == 0)
        {
            return "No model specified: set 'model' or 'models'.";
        }

        foreach (var model in candidates)
        {
            if (!state.ModelsById.ContainsKey(model) && SimErrorStatus(model) is null)
            {
                return $"{model} is not a valid model ID";
            }
        }

        return null;
    }

    private bool ShouldFail(HttpContext context, Exchange exchange, SimulatorKnobs knobs)
    {
        if (knobs.FailTimes is not { } times)
        {
            return true;
        }

        var key = First(context.Request.Headers, "X-Request-Id") ?? exchange.Body ?? "";
        return state.NextAttempt(key) <= times;
    }

    private static bool IsDown(string model, SimulatorKnobs knobs) =>
        SimErrorStatus(model) is not null || (knobs.FailModels?.Contains(model) ?? false);

    private static int? SimErrorStatus(string model) =>
        model.StartsWith(SimErrorModelPrefix, StringComparison.Ordinal)
        && int.TryParse(model.AsSpan(SimErrorModelPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status)
        && status is >= 400 and <= 599
            ? status
            : null;

    private static async Task DelayAsync(int? milliseconds, CancellationToken cancellationToken)
    {
        if (milliseconds is > 0)
        {
            await Task.Delay(milliseconds.Value, cancellationToken);
        }
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static string? First(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private sealed class Exchange(long sequence)
    {
        public long Sequence { get; } = sequence;

        public string? Body { get; set; }

        public int Status { get; set; } = 200;

        public string? ModelUsed { get; set; }

        public string Outcome { get; set; } = "ok";

        public int ChunksSent { get; set; }
    }
}
