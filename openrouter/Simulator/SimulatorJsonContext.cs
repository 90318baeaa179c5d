using System.Text.Json.Serialization;

namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>The simulator's control endpoint payloads: the request log and knob defaults.</summary>
/// <param name="Count">Requests recorded.</param>
/// <param name="Recent">The most recent requests, oldest first.</param>
public sealed record RequestLogSnapshot(long Count, IReadOnlyList<RecordedRequest> Recent);

/// <summary>Source-generated JSON for the simulator's <c>/_sim/*</c> endpoints (snake_case like the wire format).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(SimulatorKnobs))]
[JsonSerializable(typeof(RequestLogSnapshot))]
internal sealed partial class SimulatorJsonContext : JsonSerializerContext;
