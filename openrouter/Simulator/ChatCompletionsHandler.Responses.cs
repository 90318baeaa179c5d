using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter.Simulator;

internal sealed partial class ChatCompletionsHandler
{
    private const string DefaultProvider = "SimProvider";

    // Quotes and non-ASCII stay readable in the JSON, as OpenRouter sends them; the output is never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static async Task WriteCompletionAsync(HttpContext context, Exchange exchange, string model, SimulatedReply reply, SimulatorKnobs knobs)
    {
        var response = new ChatCompletionResponse
        {
            Id = GenerationId(exchange),
            Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            Model = model,
            Provider = knobs.Provider ?? DefaultProvider,
            Choices = [.. Enumerable.Range(0, reply.Choices).Select(index => new ChatChoice
            {
                Index = index,
                Message = ChatMessage.Create("assistant", reply.Text),
                FinishReason = reply.FinishReason,
                NativeFinishReason = reply.FinishReason,
            })],
            Usage = reply.Usage,
        };
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            JsonSerializer.Serialize(json, response, OpenRouterJsonContext.Default.ChatCompletionResponse);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static async Task WriteKnobErrorAsync(HttpContext context, Exchange exchange, int status, string model, ChatCompletionRequest request, SimulatorKnobs knobs)
    {
        var provider = knobs.Provider ?? DefaultProvider;
        var (message, metadata) = status switch
        {
            400 => ("Invalid request (simulated bad request).", null),
            401 => ("Invalid API key (simulated).", null),
            402 => ("Insufficient credits: this key cannot pay for the request. Add credits and retry (simulated).", null),
            403 => ("Your input was flagged by moderation (simulated).", new JsonObject
            {
                ["reasons"] = new JsonArray("simulated-flag"),
                ["flagged_input"] = FlaggedInput(request),
                ["provider_name"] = provider,
                ["model_slug"] = model,
            }),
            408 => ("Request timed out upstream (simulated).", null),
            429 => ($"{model} is temporarily rate-limited upstream (simulated).", new JsonObject
            {
                ["provider_name"] = provider,
                ["raw"] = "rate limit exceeded",
            }),
            502 => ("Provider returned error (simulated).", new JsonObject
            {
                ["provider_name"] = provider,
                ["raw"] = $"{model} is down (simulated)",
            }),
            503 => ("No endpoints found that can handle the request (simulated).", (JsonObject?)null),
            _ => ($"Simulated error {status}.", null),
        };
        await WriteErrorAsync(context, exchange, status, message, metadata, knobs.RetryAfterSeconds);
    }

    private static async Task WriteBodyErrorAsync(HttpContext context, Exchange exchange, int code, string model, SimulatorKnobs knobs)
    {
        var metadata = new JsonObject { ["provider_name"] = knobs.Provider ?? DefaultProvider, ["raw"] = $"{model} failed while generating (simulated)" };
        await WriteErrorAsync(context, exchange, 200, "Provider returned error (simulated).", metadata, null, code);
    }

    private static async Task WriteErrorAsync(HttpContext context, Exchange exchange, int status, string message, JsonObject? metadata, int? retryAfterSeconds, int? code = null)
    {
        exchange.Status = status;
        exchange.Outcome = "error";
        var body = new OpenRouterErrorResponse
        {
            Error = new OpenRouterErrorPayload
            {
                Code = (code ?? status).ToString(CultureInfo.InvariantCulture),
                Message = message,
                Metadata = metadata is null ? null : JsonDocument.Parse(metadata.ToJsonString()).RootElement.Clone(),
            },
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            JsonSerializer.Serialize(json, body, OpenRouterJsonContext.Default.OpenRouterErrorResponse);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static string FlaggedInput(ChatCompletionRequest request)
    {
        var text = request.Messages.Count > 0 ? request.Messages[^1].Content?.GetText() ?? "" : "";
        return text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 48), "...", text.AsSpan(text.Length - 48));
    }

    private static string GenerationId(Exchange exchange) => "gen-sim-" + exchange.Sequence.ToString(CultureInfo.InvariantCulture);
}
