using Microsoft.Extensions.Configuration;

namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>Settings of one simulator instance.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The configuration section <see cref="FromConfiguration"/> reads.</summary>
    public const string SectionName = "Simulator";

    /// <summary>
    /// When set, requests must carry <c>Authorization: Bearer &lt;key&gt;</c> with this key or get 401. Defaults to
    /// none: any key, or no key, is accepted.
    /// </summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>The models served and listed by <c>GET /api/v1/models</c>. Defaults to <see cref="SimulatedModel.BuiltIn"/>.</summary>
    public IReadOnlyList<SimulatedModel> Models { get; set; } = SimulatedModel.BuiltIn;

    /// <summary>Knob defaults, overridden per request by <c>X-Sim-*</c> headers. Defaults to none set.</summary>
    public SimulatorKnobs Defaults { get; set; } = new();

    /// <summary><c>: OPENROUTER PROCESSING</c> comment lines sent before a stream's first chunk. Defaults to 2.</summary>
    public int ProcessingComments { get; set; } = 2;

    /// <summary>How many recent requests the log keeps (with bodies). Defaults to 100.</summary>
    public int RecentRequestCapacity { get; set; } = 100;

    /// <summary>Reads <c>Simulator:RequiredApiKey</c> from configuration.</summary>
    /// <param name="configuration">The configuration root.</param>
    public static SimulatorOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        return new SimulatorOptions
        {
            RequiredApiKey = string.IsNullOrWhiteSpace(section["RequiredApiKey"]) ? null : section["RequiredApiKey"],
        };
    }
}
