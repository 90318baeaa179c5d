using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>How the simulated final usage chunk of a stream is shaped (OpenRouter has sent both).</summary>
public enum UsageChunkShape
{
    /// <summary>One choice with an empty delta and no finish reason, plus <c>usage</c>.</summary>
    [JsonStringEnumMemberName("empty-delta")]
    EmptyDelta,

    /// <summary><c>choices: []</c> plus <c>usage</c>.</summary>
    [JsonStringEnumMemberName("no-choices")]
    NoChoices,
}

/// <summary>
/// Behaviour knobs of the simulator. Each can be set as a default (<see cref="SimulatorOptions.Defaults"/>,
/// <c>POST /_sim/config</c>) and overridden per request by an <c>X-Sim-*</c> header; null means "not set".
/// </summary>
public sealed record SimulatorKnobs
{
    /// <summary>Header <c>X-Sim-Latency-Ms</c>: wait before answering (streams: before the first data chunk).</summary>
    public int? LatencyMs { get; init; }

    /// <summary>Header <c>X-Sim-Chunk-Delay-Ms</c>: wait between stream chunks.</summary>
    public int? ChunkDelayMs { get; init; }

    /// <summary>Header <c>X-Sim-Chunks</c>: how many content chunks a stream splits the reply into (default 4).</summary>
    public int? Chunks { get; init; }

    /// <summary>Header <c>X-Sim-Prompt-Tokens</c>: reported prompt tokens (default: prompt characters / 4).</summary>
    public int? PromptTokens { get; init; }

    /// <summary>Header <c>X-Sim-Completion-Tokens</c>: reported completion tokens (default: reply characters / 4).</summary>
    public int? CompletionTokens { get; init; }

    /// <summary>Header <c>X-Sim-Cost</c>: reported <c>usage.cost</c> in USD (default: tokens × the model's prices).</summary>
    public decimal? Cost { get; init; }

    /// <summary>Header <c>X-Sim-Error</c>: answer with this HTTP status and OpenRouter's error body.</summary>
    public int? Error { get; init; }

    /// <summary>
    /// Header <c>X-Sim-Body-Error</c>: answer 200 with an error body carrying this code, as OpenRouter does when a
    /// model fails after the request was accepted (non-streamed calls).
    /// </summary>
    public int? BodyError { get; init; }

    /// <summary>Header <c>X-Sim-Retry-After</c>: seconds sent as <c>Retry-After</c> with a simulated error.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>
    /// Header <c>X-Sim-Fail-Times</c>: apply <see cref="Error"/> only to the first N attempts of a request
    /// (attempts are matched by <c>X-Request-Id</c>, else by identical body), then succeed.
    /// </summary>
    public int? FailTimes { get; init; }

    /// <summary>Header <c>X-Sim-Stream-Error-After</c>: send N content chunks, then a mid-stream error chunk.</summary>
    public int? StreamErrorAfter { get; init; }

    /// <summary>Header <c>X-Sim-Usage-Shape</c>: <c>empty-delta</c> (default) or <c>no-choices</c>.</summary>
    public UsageChunkShape? UsageShape { get; init; }

    /// <summary>Header <c>X-Sim-Fail-Models</c> (comma-separated): these models answer as down (502), so <c>models</c> fallback moves on.</summary>
    public IReadOnlyList<string>? FailModels { get; init; }

    /// <summary>Header <c>X-Sim-Provider</c>: the provider name reported in responses (default <c>SimProvider</c>).</summary>
    public string? Provider { get; init; }

    /// <summary>Returns these knobs with every header present on <paramref name="headers"/> applied on top.</summary>
    /// <param name="headers">The request headers.</param>
    /// <exception cref="FormatException">A knob header has a malformed value; the message names it.</exception>
    public SimulatorKnobs WithHeaders(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return new SimulatorKnobs
        {
            LatencyMs = Int(headers, "X-Sim-Latency-Ms") ?? LatencyMs,
            ChunkDelayMs = Int(headers, "X-Sim-Chunk-Delay-Ms") ?? ChunkDelayMs,
            Chunks = Int(headers, "X-Sim-Chunks") ?? Chunks,
            PromptTokens = Int(headers, "X-Sim-Prompt-Tokens") ?? PromptTokens,
            CompletionTokens = Int(headers, "X-Sim-Completion-Tokens") ?? CompletionTokens,
            Cost = Decimal(headers, "X-Sim-Cost") ?? Cost,
            Error = Int(headers, "X-Sim-Error") ?? Error,
            BodyError = Int(headers, "X-Sim-Body-Error") ?? BodyError,
            RetryAfterSeconds = Int(headers, "X-Sim-Retry-After") ?? RetryAfterSeconds,
            FailTimes = Int(headers, "X-Sim-Fail-Times") ?? FailTimes,
            StreamErrorAfter = Int(headers, "X-Sim-Stream-Error-After") ?? StreamErrorAfter,
            UsageShape = Shape(headers) ?? UsageShape,
            FailModels = Text(headers, "X-Sim-Fail-Models") is { } models
                ? models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : FailModels,
            Provider = Text(headers, "X-Sim-Provider") ?? Provider,
        };
    }

    private static string? Text(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrWhiteSpace(values[0]) ? values[0]!.Trim() : null;

    private static int? Int(IHeaderDictionary headers, string name) =>
        Text(headers, name) is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
        : throw new FormatException($"Header {name}: '{text}' is not a non-negative whole number.");

    private static decimal? Decimal(IHeaderDictionary headers, string name) =>
        Text(headers, name) is not { } text ? null
        : decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
        : throw new FormatException($"Header {name}: '{text}' is not a non-negative decimal number.");

    private static UsageChunkShape? Shape(IHeaderDictionary headers) => Text(headers, "X-Sim-Usage-Shape") switch
    {
        null => null,
        "empty-delta" => UsageChunkShape.EmptyDelta,
        "no-choices" => UsageChunkShape.NoChoices,
        var other => throw new FormatException($"Header X-Sim-Usage-Shape: '{other}' is not 'empty-delta' or 'no-choices'."),
    };
}
